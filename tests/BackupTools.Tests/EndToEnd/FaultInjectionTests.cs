using BackupTools.Core;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Testing;
using BackupTools.Tests.Postgres;
using Xunit;
using Xunit.Abstractions;

namespace BackupTools.Tests.EndToEnd;

/// <summary>Acceptance 2: backup and restore through a proxy that fails a share of the S3 requests.</summary>
[Collection(PostgresCollection.Name)]
public sealed class FaultInjectionTests(PostgresFixture fixture, ITestOutputHelper output)
{
    /// <summary>The default attempts with short delays, for the full-outage part (the default backoff takes about 10 s to give up).</summary>
    private static readonly RetryOptions QuickRetry = new(RetryOptions.Default.MaxAttempts, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100));

    private readonly EndToEndHelpers _e2e = new(fixture.Cluster);

    [Fact]
    public async Task Backup_and_restore_survive_twenty_percent_faults_and_a_full_outage_adds_no_backup()
    {
        var s3 = await EndToEndHelpers.S3Async();
        await using var proxy = FaultProxy.Start(s3.Endpoint, faultRate: 0.2, seed: 2024);
        var bucket = EndToEndHelpers.NewBucketName("e2e-faults");
        var clean = EndToEndHelpers.S3Location(s3, bucket, "repo");
        var faulty = EndToEndHelpers.S3Location(s3, bucket, "repo", proxy.Endpoint);
        await BlobStoreFactory.PrepareAsync(clean);
        var db = await _e2e.NewSampleDatabaseAsync();
        var original = await _e2e.FingerprintAsync(db);

        // Create, back up and restore, all through the proxy (the production store stack: retry + concurrency limit).
        using var faultyStore = BlobStoreFactory.Open(faulty);
        using var repository = await BackupRepository.CreateAsync(faultyStore, EndToEndHelpers.Passphrase, EndToEndHelpers.FastOptions());
        var manifest = await _e2e.BackupAsync(repository, db);
        var copy = db + "_faulty";
        var outcome = await _e2e.RestoreAsNewAsync(repository, manifest, copy);

        Assert.True(outcome.Success);
        Assert.Equal(original, await _e2e.FingerprintAsync(copy));
        output.WriteLine($"Backup and restore through the proxy: {proxy.FaultCount} faults in {proxy.RequestCount} requests.");
        Assert.True(proxy.FaultCount > 0, $"the proxy injected no fault in {proxy.RequestCount} requests");

        // What was stored is whole: read every chunk back over a clean connection.
        using var cleanStore = BlobStoreFactory.Open(clean);
        using var cleanRepository = await BackupRepository.OpenAsync(cleanStore, EndToEndHelpers.Passphrase);
        var checks = await cleanRepository.VerifyAsync(await cleanRepository.LoadManifestAsync(manifest.Id), VerifyLevel.Full);
        Assert.NotEmpty(checks);
        Assert.All(checks, c => Assert.True(c.Success, $"{c.Component}: {string.Join("; ", c.Errors)}"));
        Assert.All(checks, c => Assert.True(c.ChunksChecked > 0));
        Assert.Empty(await ListAsync(cleanStore, "locks/")); // the backup's lock was released through the faults

        // A full outage: the backup fails as ConnectionFailed naming the location, and leaves no backup behind.
        var backupsBefore = (await cleanRepository.ListManifestsAsync()).Select(m => m.Id).ToList();
        using var outageStore = new ConcurrencyLimitingBlobStore(new RetryingBlobStore(new S3BlobStore(faulty), QuickRetry));
        using var outageRepository = await BackupRepository.OpenAsync(outageStore, EndToEndHelpers.Passphrase);
        proxy.FaultRate = 1.0;

        var e = await Assert.ThrowsAsync<BackupToolsException>(() => _e2e.BackupAsync(outageRepository, db));

        Assert.Equal(BackupErrorKind.ConnectionFailed, e.Kind);
        Assert.Equal("BackupTools.ConnectionFailed", e.ErrorId);
        Assert.Contains(faulty.Uri, e.Message);
        Assert.Contains($"failed after {QuickRetry.MaxAttempts} attempts", e.Message);
        proxy.FaultRate = 0.0;
        Assert.Equal(backupsBefore, (await repository.ListManifestsAsync()).Select(m => m.Id));
        Assert.Empty(repository.UnreadableManifestIds);
        Assert.Empty(await ListAsync(cleanStore, "locks/"));
    }

    [Fact]
    public async Task An_outage_in_the_middle_of_a_backup_fails_it_as_ConnectionFailed_and_adds_no_backup()
    {
        var s3 = await EndToEndHelpers.S3Async();
        await using var proxy = FaultProxy.Start(s3.Endpoint, faultRate: 0.0, seed: 99);
        var bucket = EndToEndHelpers.NewBucketName("e2e-outage");
        var faulty = EndToEndHelpers.S3Location(s3, bucket, "repo", proxy.Endpoint);
        await BlobStoreFactory.PrepareAsync(EndToEndHelpers.S3Location(s3, bucket, "repo"));
        var db = await _e2e.NewSampleDatabaseAsync();
        using var store = new ConcurrencyLimitingBlobStore(new RetryingBlobStore(new S3BlobStore(faulty), QuickRetry));
        using var repository = await BackupRepository.CreateAsync(store, EndToEndHelpers.Passphrase, EndToEndHelpers.FastOptions(16 * 1024));
        var first = await _e2e.BackupAsync(repository, db);
        await _e2e.Cluster.ExecuteAsync(db, "UPDATE public.posts SET title = title || ' (edited)'");

        // The storage goes down once pg_dump's output starts flowing: chunks are being uploaded.
        var outage = new OutageOnFirstReport(proxy);
        var e = await Assert.ThrowsAsync<BackupToolsException>(() => Core.Operations.LogicalBackup.RunAsync(repository,
            new Core.Operations.DatabaseBackupRequest { ConnectionString = _e2e.Cluster.Uri(db), PgBinDirectory = _e2e.Cluster.State.BinDirectory },
            outage, NullBackupLog.Instance));

        output.WriteLine($"Outage: {proxy.FaultCount} faults in {proxy.RequestCount} requests; error: {e.Message}");
        Assert.Equal(BackupErrorKind.ConnectionFailed, e.Kind);
        Assert.Contains(faulty.Uri, e.Message);
        proxy.FaultRate = 0.0;
        Assert.Equal(new[] { first.Id }, (await repository.ListManifestsAsync()).Select(m => m.Id));
        Assert.Empty(repository.UnreadableManifestIds);
    }

    private static async Task<List<string>> ListAsync(IBlobStore store, string prefix)
    {
        var keys = new List<string>();
        await foreach (var blob in store.ListAsync(prefix)) keys.Add(blob.Key);
        return keys;
    }
}
