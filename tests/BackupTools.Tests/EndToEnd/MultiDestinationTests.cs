using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Testing;
using BackupTools.Tests.Postgres;
using Xunit;

namespace BackupTools.Tests.EndToEnd;

/// <summary>One backup run into several repositories: the source is read once, each destination succeeds or fails on its own.</summary>
[Collection(PostgresCollection.Name)]
public sealed class MultiDestinationTests(PostgresFixture fixture) : IDisposable
{
    private static readonly RetryOptions QuickRetry = new(2, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50));
    private readonly EndToEndHelpers _e2e = new(fixture.Cluster);
    private readonly TempFolder _folder = new("multi-dest");

    [Fact]
    public async Task One_run_writes_a_local_and_an_S3_repository_with_their_own_keys_and_both_restore()
    {
        var s3 = await EndToEndHelpers.S3Async();
        var s3Location = EndToEndHelpers.S3Location(s3, EndToEndHelpers.NewBucketName("multi"), "repo");
        await BlobStoreFactory.PrepareAsync(s3Location);
        using var localStore = new LocalBlobStore(_folder.Path);
        using var s3Store = BlobStoreFactory.Open(s3Location);
        using var local = await BackupRepository.CreateAsync(localStore, EndToEndHelpers.Passphrase, EndToEndHelpers.FastOptions());
        using var remote = await BackupRepository.CreateAsync(s3Store, "another passphrase for the copy", EndToEndHelpers.FastOptions());
        var db = await _e2e.NewSampleDatabaseAsync("multi");
        var original = await _e2e.FingerprintAsync(db);

        var outcomes = await BackupJob.RunAsync(new[] { local, remote }, Request(db, VerifyLevel.Full), null, NullBackupLog.Instance);

        Assert.Equal(2, outcomes.Count);
        Assert.All(outcomes, o => Assert.True(o.Success, o.Error?.Message));
        Assert.Equal(outcomes[0].Manifest!.Id, outcomes[1].Manifest!.Id);
        // Each repository chunks with its own secret seed and id key: the same dump, different chunk ids.
        var localFile = outcomes[0].Manifest!.Components[0].Files[0];
        var remoteFile = outcomes[1].Manifest!.Components[0].Files[0];
        Assert.Equal(localFile.Sha256, remoteFile.Sha256);
        Assert.Empty(localFile.Chunks.Select(c => c.Id).Intersect(remoteFile.Chunks.Select(c => c.Id)));
        foreach (var (repository, name) in new[] { (local, db + "_from_local"), (remote, db + "_from_s3") })
        {
            var manifest = await repository.LoadManifestAsync(outcomes[0].Manifest!.Id);
            Assert.True(manifest.Verifications.Single().Success); // the verification is saved in the manifest
            Assert.True((await _e2e.RestoreAsNewAsync(repository, manifest, name)).Success);
            Assert.Equal(original, await _e2e.FingerprintAsync(name));
        }
    }

    [Fact]
    public async Task A_destination_that_fails_mid_backup_is_reported_and_the_other_still_gets_the_backup()
    {
        var s3 = await EndToEndHelpers.S3Async();
        await using var proxy = FaultProxy.Start(s3.Endpoint, faultRate: 0.0, seed: 7);
        var bucket = EndToEndHelpers.NewBucketName("multi-fail");
        await BlobStoreFactory.PrepareAsync(EndToEndHelpers.S3Location(s3, bucket, "repo"));
        var faulty = EndToEndHelpers.S3Location(s3, bucket, "repo", proxy.Endpoint);
        using var faultyStore = new ConcurrencyLimitingBlobStore(new RetryingBlobStore(new S3BlobStore(faulty), QuickRetry));
        using var broken = await BackupRepository.CreateAsync(faultyStore, EndToEndHelpers.Passphrase, EndToEndHelpers.FastOptions(16 * 1024));
        using var localStore = new LocalBlobStore(_folder.Path);
        using var good = await BackupRepository.CreateAsync(localStore, EndToEndHelpers.Passphrase, EndToEndHelpers.FastOptions(16 * 1024));
        var db = await _e2e.NewSampleDatabaseAsync("multi");
        var original = await _e2e.FingerprintAsync(db);

        // The S3 destination goes down as soon as data flows (after both locks were taken).
        var outcomes = await BackupJob.RunAsync(new[] { broken, good }, Request(db, null), new OutageOnFirstReport(proxy), NullBackupLog.Instance);

        Assert.Null(outcomes[0].Manifest);
        Assert.Equal(BackupErrorKind.ConnectionFailed, outcomes[0].Error!.Kind);
        Assert.Contains(faulty.Uri, outcomes[0].Error!.Message);
        Assert.True(outcomes[1].Success, outcomes[1].Error?.Message);
        proxy.FaultRate = 0.0;
        Assert.Empty(await broken.ListManifestsAsync());
        var restored = db + "_survivor";
        Assert.True((await _e2e.RestoreAsNewAsync(good, outcomes[1].Manifest!, restored)).Success);
        Assert.Equal(original, await _e2e.FingerprintAsync(restored));
    }

    [Fact]
    public async Task A_source_failure_fails_the_whole_backup_and_commits_nothing_anywhere()
    {
        using var storeA = new LocalBlobStore(Path.Combine(_folder.Path, "a"));
        using var storeB = new LocalBlobStore(Path.Combine(_folder.Path, "b"));
        using var a = await BackupRepository.CreateAsync(storeA, EndToEndHelpers.Passphrase, EndToEndHelpers.FastOptions());
        using var b = await BackupRepository.CreateAsync(storeB, EndToEndHelpers.Passphrase, EndToEndHelpers.FastOptions());

        var e = await Assert.ThrowsAsync<BackupToolsException>(() =>
            BackupJob.RunAsync(new[] { a, b }, Request("no_such_database_here", null), null, NullBackupLog.Instance));

        Assert.Contains("no_such_database_here", e.Message);
        Assert.Empty(await a.ListManifestsAsync());
        Assert.Empty(await b.ListManifestsAsync());
    }

    private BackupJobRequest Request(string db, VerifyLevel? verify) => new()
    {
        Database = new DatabaseBackupRequest { ConnectionString = _e2e.Cluster.Uri(db), PgBinDirectory = _e2e.Cluster.State.BinDirectory },
        Verify = verify,
    };

    public void Dispose() => _folder.Dispose();
}
