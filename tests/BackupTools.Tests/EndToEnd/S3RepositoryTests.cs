using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Tests.Postgres;
using Xunit;

namespace BackupTools.Tests.EndToEnd;

/// <summary>Acceptance 1: the Supabase sample through an s3:// repository on a real s3rver and back.</summary>
[Collection(PostgresCollection.Name)]
public sealed class S3RepositoryTests(PostgresFixture fixture)
{
    private readonly EndToEndHelpers _e2e = new(fixture.Cluster);

    [Fact]
    public async Task Sample_backed_up_to_s3_restores_as_new_database_and_in_place_with_equal_fingerprints()
    {
        var s3 = await EndToEndHelpers.S3Async();
        var bucket = EndToEndHelpers.NewBucketName("e2e-s3");
        var location = EndToEndHelpers.S3Location(s3, bucket, "backups/prod");
        await BlobStoreFactory.PrepareAsync(location); // creates the missing bucket
        var db = await _e2e.NewSampleDatabaseAsync();
        var original = await _e2e.FingerprintAsync(db);

        string backupId;
        using (var store = BlobStoreFactory.Open(location))
        using (var repository = await BackupRepository.CreateAsync(store, EndToEndHelpers.Passphrase, EndToEndHelpers.FastOptions()))
            backupId = (await _e2e.BackupAsync(repository, db, "s3")).Id;

        // The objects are in the bucket under the prefix: look with a store rooted at the bucket.
        using (var bucketRoot = BlobStoreFactory.Open(BlobStoreFactory.Parse($"s3://{bucket}", s3.Endpoint, "us-east-1", s3.State.AccessKey, s3.State.SecretKey)))
        {
            Assert.NotNull(await bucketRoot.StatAsync("backups/prod/config.json"));
            Assert.NotNull(await bucketRoot.StatAsync($"backups/prod/snapshots/{backupId}"));
        }

        // A fresh client and a fresh unlock: everything needed comes from the bucket.
        using var reopenedStore = BlobStoreFactory.Open(location);
        using var reopened = await BackupRepository.OpenAsync(reopenedStore, EndToEndHelpers.Passphrase);
        var manifest = await reopened.LoadManifestAsync(backupId);
        Assert.Equal(new[] { "s3" }, manifest.Tags);

        var copy = db + "_copy";
        var outcome = await _e2e.RestoreAsNewAsync(reopened, manifest, copy);
        Assert.True(outcome.Success);
        Assert.Equal(original, await _e2e.FingerprintAsync(copy));

        await _e2e.DamageSampleAsync(db);
        Assert.NotEqual(original, await _e2e.FingerprintAsync(db));
        await _e2e.RestoreInPlaceAsync(reopened, manifest, db);
        Assert.Equal(original, await _e2e.FingerprintAsync(db));
    }
}
