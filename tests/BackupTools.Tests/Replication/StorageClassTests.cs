using System.Net;
using Amazon.S3;
using BackupTools.Core;
using BackupTools.Core.Storage;
using Xunit;

namespace BackupTools.Tests.Replication;

/// <summary>S3 storage classes: which objects take them, and what reading an archived object says (no server).</summary>
public sealed class StorageClassTests
{
    [Theory]
    [InlineData("STANDARD_IA", "data/ab/ab12", "STANDARD_IA")]
    [InlineData("STANDARD_IA", "snapshots/20261125T190102Z-3fa9c1", "STANDARD_IA")]
    [InlineData("GLACIER_IR", "snapshots/20261125T190102Z-3fa9c1", "GLACIER_IR")]
    [InlineData("DEEP_ARCHIVE", "data/ab/ab12", "DEEP_ARCHIVE")]
    [InlineData("DEEP_ARCHIVE", "snapshots/20261125T190102Z-3fa9c1", null)]
    [InlineData("GLACIER", "snapshots/20261125T190102Z-3fa9c1", null)]
    [InlineData("GLACIER", "locks/0a1b", null)]
    [InlineData("GLACIER", "config.json", null)]
    [InlineData("STANDARD_IA", "keys/0a1b", null)]
    [InlineData("STANDARD", "data/ab/ab12", null)]
    [InlineData(null, "data/ab/ab12", null)]
    public void Chunks_take_the_class_manifests_only_when_readable_at_once_control_objects_never(string? storageClass, string key, string? expected)
        => Assert.Equal(expected, S3StorageClasses.ForKey(storageClass, key));

    [Fact]
    public void An_unknown_class_is_InvalidArgument_naming_it_and_a_known_one_is_normalised()
    {
        var error = Assert.Throws<BackupToolsException>(() => S3StorageClasses.Normalize("COLDEST"));
        Assert.Equal(BackupErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("COLDEST", error.Message);
        Assert.Equal("GLACIER_IR", BlobStoreFactory.Parse("s3://bucket/x").WithStorageClass("glacier_ir").StorageClass);
    }

    private static S3BlobStore Store()
        => new(BlobStoreFactory.Parse("s3://archive-bucket/repo", "http://127.0.0.1:9", "us-east-1", "AKIDEXAMPLE", "secret-never-shown"));

    [Fact]
    public void Reading_an_archived_object_says_a_restore_request_is_needed()
    {
        using var store = Store();
        var archived = new AmazonS3Exception("The operation is not valid for the object's storage class")
        {
            ErrorCode = "InvalidObjectState", StatusCode = HttpStatusCode.Forbidden,
        };

        var mapped = Assert.IsType<BackupToolsException>(store.MapError(archived, "data/ab/ab12"));

        Assert.Equal(BackupErrorKind.InvalidOperation, mapped.Kind); // not PermissionDenied, although the status is 403
        Assert.Contains("restore request", mapped.Message);
        Assert.Contains("repo/data/ab/ab12", mapped.Message);
        Assert.DoesNotContain("secret-never-shown", mapped.Message);
    }

    [Fact]
    public void Other_forbidden_answers_stay_PermissionDenied_and_server_errors_are_left_to_retry()
    {
        using var store = Store();
        var denied = store.MapError(new AmazonS3Exception("denied") { ErrorCode = "AccessDenied", StatusCode = HttpStatusCode.Forbidden }, "data/ab/ab12");
        Assert.Equal(BackupErrorKind.PermissionDenied, Assert.IsType<BackupToolsException>(denied).Kind);
        Assert.Null(store.MapError(new AmazonS3Exception("busy") { ErrorCode = "SlowDown", StatusCode = HttpStatusCode.ServiceUnavailable }, "data/ab/ab12"));
    }
}
