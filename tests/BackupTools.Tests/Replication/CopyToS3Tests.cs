using Amazon.Runtime;
using Amazon.S3;
using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Tests.EndToEnd;
using BackupTools.Tests.Postgres;
using Xunit;

namespace BackupTools.Tests.Replication;

/// <summary>Acceptance: Copy-Backup from a local repository to an S3 repository (real s3rver) with another passphrase and a storage class.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CopyToS3Tests(PostgresFixture fixture)
{
    private const string ColdPassphrase = "cold storage passphrase 77e1";
    private readonly EndToEndHelpers _e2e = new(fixture.Cluster);

    [Fact]
    public async Task Copy_to_s3_with_another_passphrase_passes_a_full_check_and_restores_the_original_data()
    {
        var s3 = await EndToEndHelpers.S3Async();
        var bucket = EndToEndHelpers.NewBucketName("copy");
        var coldLocation = EndToEndHelpers.S3Location(s3, bucket, "cold").WithStorageClass("STANDARD_IA");
        await BlobStoreFactory.PrepareAsync(coldLocation);
        var db = await _e2e.NewSampleDatabaseAsync("copy");
        var original = await _e2e.FingerprintAsync(db);
        using var folder = new TempFolder("bt-copy-src");

        string backupId;
        using (var sourceStore = BlobStoreFactory.Open(BlobStoreFactory.Parse(folder.Path)))
        using (var source = await BackupRepository.CreateAsync(sourceStore, EndToEndHelpers.Passphrase, EndToEndHelpers.FastOptions()))
        using (var coldStore = BlobStoreFactory.Open(coldLocation))
        using (var cold = await BackupRepository.CreateAsync(coldStore, ColdPassphrase, EndToEndHelpers.FastOptions()))
        {
            backupId = (await _e2e.BackupAsync(source, db, "monthly")).Id;
            var outcome = await CopyBackup.RunAsync(source, cold, new CopyBackupRequest { BackupId = backupId }, null, NullBackupLog.Instance);
            Assert.Equal(outcome.ChunksTotal, outcome.ChunksNew);
            Assert.True(outcome.BytesAdded > 0);
        }
        await _e2e.DropDatabaseAsync(db);

        // A fresh client and unlock with the cold repository's own passphrase: a full check, then a restore.
        using var reopenedStore = BlobStoreFactory.Open(EndToEndHelpers.S3Location(s3, bucket, "cold"));
        using var reopened = await BackupRepository.OpenAsync(reopenedStore, ColdPassphrase);
        var copy = await reopened.LoadManifestAsync(backupId);
        Assert.Equal(new[] { "monthly" }, copy.Tags);
        Assert.NotNull(copy.CopiedFrom);
        Assert.All(await reopened.VerifyAsync(copy, VerifyLevel.Full), c => Assert.True(c.Success, string.Join("; ", c.Errors)));
        var restored = await _e2e.RestoreAsNewAsync(reopened, copy, db + "_from_copy");
        Assert.True(restored.Success, string.Join("; ", restored.Errors));
        Assert.Equal(original, await _e2e.FingerprintAsync(db + "_from_copy"));

        // The chunks and the manifest were written with the storage class; config.json with the bucket's default.
        using var client = new AmazonS3Client(new BasicAWSCredentials(s3.State.AccessKey, s3.State.SecretKey),
            new AmazonS3Config { ServiceURL = s3.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        var chunk = copy.Components[0].Files[0].Chunks[0].Id;
        Assert.Equal("STANDARD_IA", (await client.GetObjectMetadataAsync(bucket, $"cold/data/{chunk[..2]}/{chunk}")).StorageClass?.Value);
        Assert.Equal("STANDARD_IA", (await client.GetObjectMetadataAsync(bucket, $"cold/snapshots/{backupId}")).StorageClass?.Value);
        Assert.NotEqual("STANDARD_IA", (await client.GetObjectMetadataAsync(bucket, "cold/config.json")).StorageClass?.Value);
    }
}
