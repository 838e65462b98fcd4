using System.Net;
using System.Text;
using BackupTools.Core;
using BackupTools.Core.Storage;
using BackupTools.Tests.EndToEnd;
using Xunit;

namespace BackupTools.Tests.Replication;

/// <summary>
/// What S3 answers for an object still in GLACIER/DEEP_ARCHIVE (403 InvalidObjectState, which s3rver does not
/// emulate), served over HTTP to the real client stack: parsed by the AWS SDK, mapped, and not retried.
/// </summary>
public sealed class ArchivedObjectTests
{
    private const string ArchivedBody =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InvalidObjectState</Code><Message>The operation is not valid for the object's storage class</Message>" +
        "<StorageClass>DEEP_ARCHIVE</StorageClass><RequestId>archive-test</RequestId></Error>";

    [Fact]
    public async Task Reading_an_archived_chunk_says_a_restore_request_is_needed_and_is_not_retried()
    {
        var port = EndToEndHelpers.ClosedLoopbackPort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var requests = 0;
        var server = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                Interlocked.Increment(ref requests);
                var body = Encoding.UTF8.GetBytes(ArchivedBody);
                context.Response.StatusCode = 403;
                context.Response.ContentType = "application/xml";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        });
        var location = BlobStoreFactory.Parse("s3://archive/prod", $"http://127.0.0.1:{port}", "us-east-1", "AKIDEXAMPLE", "secret");
        using var store = BlobStoreFactory.Open(location); // with the retry layer, as every repository is opened

        var error = await Assert.ThrowsAsync<BackupToolsException>(() => store.GetAsync("data/ab/ab12cd"));

        Assert.Equal(BackupErrorKind.InvalidOperation, error.Kind);
        Assert.Contains("restore request", error.Message);
        Assert.Contains("prod/data/ab/ab12cd", error.Message);
        Assert.Equal(1, Volatile.Read(ref requests));
        listener.Stop();
        await server;
    }
}
