using BackupTools.Core;
using BackupTools.Core.Storage;
using BackupTools.Testing;
using Xunit;

namespace BackupTools.Tests.Storage;

/// <summary>Retry behaviour against real s3rver behind a fault-injecting proxy.</summary>
public sealed class RetryTests(S3BucketFixture s3) : IClassFixture<S3BucketFixture>
{
    private static readonly RetryOptions Quick = new(8, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(200));

    [Fact]
    public async Task At_twenty_percent_faults_every_put_and_get_succeeds_with_the_right_bytes()
    {
        await using var proxy = FaultProxy.Start(s3.Server.Endpoint, faultRate: 0.2, seed: 42);
        using var store = BlobStoreFactory.Open(s3.Location("faulty-" + Guid.NewGuid().ToString("N"), proxy.Endpoint));

        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var data = new byte[1000 + i];
            new Random(i).NextBytes(data);
            await store.PutAsync($"data/{i % 16:x2}/{i}", data, ct);
            Assert.Equal(data, await store.GetAsync($"data/{i % 16:x2}/{i}", ct));
        });

        Assert.InRange(proxy.FaultCount, 40, 200); // the faults did happen, and were retried
        Assert.True(proxy.RequestCount >= 400 + proxy.FaultCount);
    }

    [Fact]
    public async Task Listing_survives_faults_without_losing_or_repeating_keys()
    {
        await using var proxy = FaultProxy.Start(s3.Server.Endpoint, faultRate: 0.0, seed: 7);
        var location = s3.Location("list-" + Guid.NewGuid().ToString("N"), proxy.Endpoint);
        using var store = new RetryingBlobStore(new S3BlobStore(location), Quick);
        await Parallel.ForEachAsync(Enumerable.Range(0, 2500), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, ct) => await store.PutAsync($"data/{i:d5}", new byte[] { 1 }, ct));

        proxy.FaultRate = 0.3;
        var keys = new List<string>();
        await foreach (var b in store.ListAsync("data/")) keys.Add(b.Key);
        Assert.Equal(2500, keys.Count);
        Assert.Equal(2500, keys.Distinct().Count());
    }

    [Fact]
    public async Task At_full_faults_a_put_fails_with_ConnectionFailed_naming_the_location_not_the_secret()
    {
        const string secret = "never-show-this-secret-81b7";
        await using var proxy = FaultProxy.Start(s3.Server.Endpoint, faultRate: 1.0);
        var location = BlobStoreFactory.Parse($"s3://{s3.Bucket}/down", proxy.Endpoint, "us-east-1", "S3RVER", secret);
        using var store = new RetryingBlobStore(new S3BlobStore(location), Quick);

        var e = await Assert.ThrowsAsync<BackupToolsException>(() => store.PutAsync("config.json", new byte[] { 1, 2, 3 }));
        Assert.Equal(BackupErrorKind.ConnectionFailed, e.Kind);
        Assert.Contains($"s3://{s3.Bucket}/down", e.Message);
        Assert.Contains("8 attempts", e.Message);
        Assert.NotNull(e.InnerException);
        Assert.DoesNotContain(secret, e.ToString());
        Assert.Equal(8, proxy.RequestCount);
    }

    [Fact]
    public async Task Permanent_faults_are_not_retried()
    {
        await using var proxy = FaultProxy.Start(s3.Server.Endpoint);
        using var store = new RetryingBlobStore(new S3BlobStore(s3.Location("perm", proxy.Endpoint)), Quick);
        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.GetAsync("missing"));
        Assert.Equal(1, proxy.RequestCount);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_retried()
    {
        await using var proxy = FaultProxy.Start(s3.Server.Endpoint, faultRate: 1.0);
        using var store = new RetryingBlobStore(new S3BlobStore(s3.Location("cancel", proxy.Endpoint)), RetryOptions.Default);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        // Cancelled, not ConnectionFailed, and well before the attempts (about 10 s of backoff) ran out.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.GetAsync("x", cts.Token));
        Assert.InRange(proxy.RequestCount, 0, 7);
    }
}
