using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using BackupTools.Core;
using BackupTools.Core.Sources.ObjectStorage;
using Xunit;

namespace BackupTools.Tests.ObjectStorage;

/// <summary>How S3 errors become engine errors, and what the client refuses before sending anything (no server).</summary>
public sealed class ObjectStorageClientTests
{
    private static ObjectStorageClient Client() => ObjectStorageClient.Connect(new StorageEndpointOptions
    {
        Endpoint = "http://127.0.0.1:9/", AccessKey = "AKIDEXAMPLE", SecretKey = "never-shown-7c1e",
    });

    private static AmazonS3Exception Error(string code, HttpStatusCode status) => new($"{code} happened", ErrorType.Sender, code, "req-1", status);

    [Theory]
    [InlineData("NoSuchBucket", HttpStatusCode.NotFound, "avatars", null, BackupErrorKind.NotFound, "Bucket 'avatars'")]
    [InlineData("NoSuchKey", HttpStatusCode.NotFound, "avatars", "a b.png", BackupErrorKind.NotFound, "Object 'a b.png' is not in bucket 'avatars'")]
    [InlineData("InvalidAccessKeyId", HttpStatusCode.Forbidden, "avatars", null, BackupErrorKind.AuthenticationFailed, "refused the storage credentials")]
    [InlineData("AccessDenied", HttpStatusCode.Forbidden, "avatars", null, BackupErrorKind.PermissionDenied, "bucket 'avatars'")]
    [InlineData("InvalidBucketName", HttpStatusCode.BadRequest, "Bad Name", null, BackupErrorKind.InvalidArgument, "bucket 'Bad Name'")]
    [InlineData("EntityTooLarge", HttpStatusCode.RequestEntityTooLarge, "avatars", "big", BackupErrorKind.InvalidOperation, "object 'big' in bucket 'avatars'")]
    public void Permanent_errors_name_what_they_concern_and_never_the_secret(string code, HttpStatusCode status, string bucket, string? key,
        BackupErrorKind kind, string expected)
    {
        using var client = Client();
        var error = client.Permanent(Error(code, status), bucket, key);
        Assert.NotNull(error);
        Assert.Equal(kind, error.Kind);
        Assert.Contains(expected, error.Message);
        Assert.Contains("http://127.0.0.1:9", error.Message);
        Assert.DoesNotContain("never-shown-7c1e", error.ToString());
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    public void Server_faults_and_throttling_are_left_to_the_retry(HttpStatusCode status)
    {
        using var client = Client();
        Assert.Null(client.Permanent(Error("SlowDown", status), "avatars", "k"));
    }

    [Fact]
    public void An_access_key_without_its_secret_or_a_bad_url_is_refused_before_any_request()
    {
        var half = Assert.Throws<BackupToolsException>(() => ObjectStorageClient.Connect(new StorageEndpointOptions { Endpoint = "http://127.0.0.1:9", AccessKey = "AKID" }));
        Assert.Equal(BackupErrorKind.InvalidArgument, half.Kind);
        var withUser = Assert.Throws<BackupToolsException>(() => ObjectStorageClient.Connect(new StorageEndpointOptions { Endpoint = "http://key:secret-9d@127.0.0.1:9" }));
        Assert.Equal(BackupErrorKind.InvalidArgument, withUser.Kind);
        Assert.DoesNotContain("secret-9d", withUser.Message);
        Assert.Equal("http://127.0.0.1:9", new StorageEndpointOptions { Endpoint = "http://127.0.0.1:9", SecretKey = "s3cr3t" }.ToString());
    }
}
