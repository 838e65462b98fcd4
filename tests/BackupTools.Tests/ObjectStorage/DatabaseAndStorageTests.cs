using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Sources.ObjectStorage;
using BackupTools.Tests.Postgres;
using Xunit;

namespace BackupTools.Tests.ObjectStorage;

/// <summary>A database and its storage buckets in one backup: the database snapshot is taken first.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DatabaseAndStorageTests(PostgresFixture fixture)
{
    [Fact]
    public async Task One_run_records_the_database_first_and_the_storage_second()
    {
        using var bed = await StorageTestBed.StartAsync();
        var bucket = await bed.S3.CreateBucketAsync("st-db");
        await bed.PutAsync(bucket, [new SeedObject("avatars/1.png", [1, 2, 3], "image/png")]);
        var db = await fixture.Cluster.CreateDatabaseAsync("st_db");
        var repository = await bed.NewRepositoryAsync();

        var request = new BackupJobRequest
        {
            Database = new DatabaseBackupRequest { ConnectionString = fixture.Cluster.Uri(db), PgBinDirectory = fixture.Cluster.State.BinDirectory, IncludeRoles = false },
            Storage = new StorageBackupRequest { Source = bed.Endpoint(), Buckets = [bucket] },
        };
        var outcome = Assert.Single(await BackupJob.RunAsync([repository], request, null, NullBackupLog.Instance));

        var manifest = await repository.LoadManifestAsync(outcome.Manifest!.Id);
        Assert.Equal("logical", manifest.Kind);
        Assert.Equal(["database", ObjectStorageBackup.ComponentType], manifest.Components.OrderBy(c => c.Order).Select(c => c.Type));
        Assert.Equal([0, 1], manifest.Components.Select(c => c.Order));
        Assert.True(manifest.Components[0].Files.Single().Object is null);
        Assert.Equal("avatars/1.png", manifest.Components[1].Files.Single().Object!.Key);
    }
}
