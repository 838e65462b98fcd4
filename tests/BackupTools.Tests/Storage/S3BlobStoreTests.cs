using BackupTools.Core;
using BackupTools.Core.Storage;
using Xunit;

namespace BackupTools.Tests.Storage;

/// <summary>The conformance suite against s3rver (one bucket for the class, a fresh prefix per test), plus S3-only behaviour.</summary>
public sealed class S3BlobStoreTests(S3BucketFixture s3) : BlobStoreConformance, IClassFixture<S3BucketFixture>
{
    protected override Task<IBlobStore> CreateStoreAsync()
        => Task.FromResult<IBlobStore>(new S3BlobStore(s3.Location("repo-" + Guid.NewGuid().ToString("N"))));

    [Fact]
    public async Task Keys_are_stored_under_the_prefix_and_listed_relative_to_it()
    {
        var prefix = "nested/" + Guid.NewGuid().ToString("N");
        using var inner = new S3BlobStore(s3.Location(prefix));
        using var whole = new S3BlobStore(s3.Location(""));
        await inner.PutAsync("data/ab/x", Bytes(3));

        Assert.Equal(3, (await whole.StatAsync(prefix + "/data/ab/x"))!.Size);
        var listed = new List<string>();
        await foreach (var b in inner.ListAsync("")) listed.Add(b.Key);
        Assert.Equal(["data/ab/x"], listed);
    }

    [Fact]
    public async Task A_prefix_does_not_see_a_sibling_that_starts_with_the_same_letters()
    {
        var name = "p" + Guid.NewGuid().ToString("N");
        using var store = new S3BlobStore(s3.Location(name));
        using var sibling = new S3BlobStore(s3.Location(name + "-other"));
        await sibling.PutAsync("config.json", Bytes(1));
        await foreach (var _ in store.ListAsync("")) Assert.Fail("the sibling prefix leaked into the listing");
    }

    [Fact]
    public async Task Missing_bucket_is_NotFound_naming_the_bucket()
    {
        using var store = BlobStoreFactory.Open(s3.Location("repo", bucket: "no-such-bucket-" + Guid.NewGuid().ToString("N")[..8]));
        var put = await Assert.ThrowsAsync<BackupToolsException>(() => store.PutAsync("config.json", Bytes(1)));
        Assert.Equal(BackupErrorKind.NotFound, put.Kind);
        Assert.Contains("no-such-bucket-", put.Message);
        Assert.Contains(s3.Server.Endpoint, put.Message);

        var get = await Assert.ThrowsAsync<BackupToolsException>(() => store.GetAsync("config.json"));
        Assert.Equal(BackupErrorKind.NotFound, get.Kind);
        var list = await Assert.ThrowsAsync<BackupToolsException>(async () => { await foreach (var _ in store.ListAsync("")) { } });
        Assert.Equal(BackupErrorKind.NotFound, list.Kind);
    }

    [Fact]
    public async Task Unknown_access_key_is_AuthenticationFailed_without_the_secret()
    {
        const string secret = "wrong-secret-5f2c9a";
        var location = BlobStoreFactory.Parse($"s3://{s3.Bucket}/auth", s3.Server.Endpoint, "us-east-1", "NOSUCHKEY", secret);
        using var store = BlobStoreFactory.Open(location);
        var e = await Assert.ThrowsAsync<BackupToolsException>(() => store.PutAsync("config.json", Bytes(1)));
        Assert.Equal(BackupErrorKind.AuthenticationFailed, e.Kind);
        Assert.DoesNotContain(secret, e.ToString());
    }

    [Fact]
    public async Task Factory_store_round_trips_through_retry_and_limits()
    {
        using var store = BlobStoreFactory.Open(s3.Location("factory-" + Guid.NewGuid().ToString("N")));
        Assert.StartsWith($"s3://{s3.Bucket}/factory-", store.Location);
        var data = Bytes(4096);
        await store.PutAsync("data/00/x", data);
        Assert.Equal(data, await store.GetAsync("data/00/x"));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.GetAsync("data/00/y"));
    }
}
