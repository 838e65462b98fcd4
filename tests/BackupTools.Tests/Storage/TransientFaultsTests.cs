using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using BackupTools.Core;
using BackupTools.Core.Storage;
using Xunit;

namespace BackupTools.Tests.Storage;

/// <summary>Which failures the retry layer retries: pure classification, no server.</summary>
public sealed class TransientFaultsTests
{
    public static TheoryData<Exception, bool> Cases => new()
    {
        { new AmazonS3Exception("slow down", ErrorType.Receiver, "SlowDown", "r", HttpStatusCode.ServiceUnavailable), true },
        { new AmazonS3Exception("internal", ErrorType.Receiver, "InternalError", "r", HttpStatusCode.InternalServerError), true },
        { new AmazonS3Exception("throttled", ErrorType.Sender, "TooManyRequests", "r", HttpStatusCode.TooManyRequests), true },
        { new AmazonS3Exception("timeout", ErrorType.Sender, "RequestTimeout", "r", HttpStatusCode.RequestTimeout), true },
        { new AmazonServiceException("connection dropped before a response"), true },
        { new AmazonS3Exception("missing", ErrorType.Sender, "NoSuchKey", "r", HttpStatusCode.NotFound), false },
        { new AmazonS3Exception("denied", ErrorType.Sender, "AccessDenied", "r", HttpStatusCode.Forbidden), false },
        { new AmazonS3Exception("bad", ErrorType.Sender, "InvalidArgument", "r", HttpStatusCode.BadRequest), false },
        { new IOException("reset"), true },
        { new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused)), true },
        { new HttpRequestException("bad gateway", null, HttpStatusCode.BadGateway), true },
        { new HttpRequestException("not found", null, HttpStatusCode.NotFound), false },
        { new SocketException((int)SocketError.ConnectionReset), true },
        { new TimeoutException(), true },
        { new TaskCanceledException("HttpClient timeout"), true },
        { new AmazonClientException("wrapped", new IOException("reset")), true },
        { new AmazonClientException("no credentials"), false },
        { new FileNotFoundException(), false },
        { new BlobNotFoundException("k"), false },
        { new BackupToolsException(BackupErrorKind.NotFound, "no bucket"), false },
        { new ArgumentException("bad key"), false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Classifies(Exception e, bool transient) => Assert.Equal(transient, TransientFaults.IsTransient(e, CancellationToken.None));

    [Fact]
    public void The_callers_own_cancellation_is_never_transient()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.False(TransientFaults.IsTransient(new OperationCanceledException(cts.Token), cts.Token));
    }
}
