using BackupTools.Core;
using BackupTools.Core.Storage;
using Xunit;

namespace BackupTools.Tests.Storage;

/// <summary>Parsing repository locations: pure logic, no server.</summary>
public sealed class BlobStoreFactoryTests
{
    [Fact]
    public void Relative_path_becomes_absolute()
    {
        var location = BlobStoreFactory.Parse("./backups/repo");
        Assert.False(location.IsS3);
        Assert.Equal(Path.GetFullPath("backups/repo"), location.LocalPath);
        Assert.Equal(location.LocalPath, location.Uri);
    }

    [Fact]
    public void File_uri_becomes_its_path()
    {
        var location = BlobStoreFactory.Parse("file:///var/backups/repo");
        Assert.False(location.IsS3);
        Assert.Equal(Path.GetFullPath("/var/backups/repo"), location.LocalPath);
    }

    [Theory]
    [InlineData("s3://my-bucket", "my-bucket", "", "s3://my-bucket")]
    [InlineData("s3://my-bucket/", "my-bucket", "", "s3://my-bucket")]
    [InlineData("s3://my-bucket/team/prod/", "my-bucket", "team/prod", "s3://my-bucket/team/prod")]
    [InlineData("S3://bucket.with.dots/x", "bucket.with.dots", "x", "s3://bucket.with.dots/x")]
    public void S3_uri_gives_bucket_and_prefix(string uri, string bucket, string prefix, string normalised)
    {
        var location = BlobStoreFactory.Parse(uri, endpoint: "http://127.0.0.1:9000/", region: "eu-west-1");
        Assert.True(location.IsS3);
        Assert.Equal(bucket, location.Bucket);
        Assert.Equal(prefix, location.Prefix);
        Assert.Equal(normalised, location.Uri);
        Assert.Equal("http://127.0.0.1:9000", location.Endpoint);
        Assert.Equal("eu-west-1", location.Region);
    }

    [Fact]
    public void Credentials_never_appear_in_the_location_text()
    {
        var location = BlobStoreFactory.Parse("s3://bucket/p", "http://localhost:9000", null, "AKIAEXAMPLE", "topsecret");
        Assert.Equal("AKIAEXAMPLE", location.AccessKey);
        Assert.Equal("topsecret", location.SecretKey);
        Assert.DoesNotContain("topsecret", location.ToString());
        Assert.DoesNotContain("AKIAEXAMPLE", location.Uri);
    }

    [Theory]
    [InlineData("ftp://x")]
    [InlineData("s3://")]
    [InlineData("s3:///prefix")]
    [InlineData("s3://UPPER/prefix")]
    [InlineData("s3://b/../escape")]
    [InlineData("http://example.com/repo")]
    [InlineData("file://remotehost/share")]
    [InlineData("   ")]
    public void Unparseable_locations_are_InvalidArgument_naming_the_value(string uri)
    {
        var e = Assert.Throws<BackupToolsException>(() => BlobStoreFactory.Parse(uri));
        Assert.Equal(BackupErrorKind.InvalidArgument, e.Kind);
        Assert.Equal(uri, e.Target);
        if (uri.Trim().Length > 0) Assert.Contains(uri, e.Message);
    }

    [Fact]
    public void Credentials_inside_the_uri_are_refused_without_echoing_them()
    {
        var e = Assert.Throws<BackupToolsException>(() => BlobStoreFactory.Parse("s3://AKIA:hunter2@bucket/p"));
        Assert.Equal(BackupErrorKind.InvalidArgument, e.Kind);
        Assert.DoesNotContain("hunter2", e.Message);
        Assert.DoesNotContain("hunter2", e.Target?.ToString());
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://host")]
    public void Bad_endpoint_is_InvalidArgument(string endpoint)
    {
        var e = Assert.Throws<BackupToolsException>(() => BlobStoreFactory.Parse("s3://bucket/p", endpoint));
        Assert.Equal(BackupErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(endpoint, e.Message);
    }

    [Fact]
    public void Endpoint_with_credentials_is_refused_without_echoing_them()
    {
        var e = Assert.Throws<BackupToolsException>(() => BlobStoreFactory.Parse("s3://bucket/p", "https://user:pa55word@minio.local"));
        Assert.DoesNotContain("pa55word", e.Message);
        Assert.DoesNotContain("pa55word", e.Target?.ToString());
    }

    [Fact]
    public void Access_key_without_secret_is_InvalidArgument()
    {
        var e = Assert.Throws<BackupToolsException>(() => BlobStoreFactory.Parse("s3://bucket/p", accessKey: "AKIA"));
        Assert.Equal(BackupErrorKind.InvalidArgument, e.Kind);
    }

    [Fact]
    public async Task Open_local_location_gives_a_working_store()
    {
        var root = Path.Combine(Path.GetTempPath(), "backuptools-factory-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var store = BlobStoreFactory.Open(BlobStoreFactory.Parse(root));
            Assert.Equal(root, store.Location);
            await store.PutAsync("a/b", new byte[] { 9 });
            Assert.Equal(new byte[] { 9 }, await store.GetAsync("a/b"));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
