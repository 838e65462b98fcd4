using BackupTools.Core;
using BackupTools.Core.Repository;
using BackupTools.Core.Sources.ObjectStorage;
using Xunit;

namespace BackupTools.Tests.ObjectStorage;

/// <summary>Which objects a storage restore selects and where they land (no server).</summary>
public sealed class StorageRestorePlanTests
{
    private static Manifest Backup() => new()
    {
        Id = "20261125T000000Z-abcdef",
        Components =
        [
            new ComponentEntry
            {
                Type = ObjectStorageBackup.ComponentType,
                Source = new() { ["endpoint"] = "http://127.0.0.1:9", ["buckets"] = "avatars,docs,empty" },
                Files = [File("avatars", "a/1.png"), File("avatars", "b/2.png"), File("docs", "a/readme.md")],
            },
        ],
    };

    private static FileEntry File(string bucket, string key) => new() { Name = bucket + "/" + key, Object = new ObjectMetadata { Bucket = bucket, Key = key } };

    [Fact]
    public void Every_bucket_is_restored_by_default_even_an_empty_one_to_the_recorded_endpoint()
    {
        var plan = StorageRestorePlan.Of(Backup(), new StorageRestoreRequest());
        Assert.Equal("http://127.0.0.1:9", plan.Target.Endpoint);
        Assert.Equal(3, plan.Files.Count);
        Assert.Equal(["avatars", "docs", "empty"], plan.KeysByTargetBucket.Keys.Order());
        Assert.Empty(plan.KeysByTargetBucket["empty"]);
    }

    [Fact]
    public void Bucket_prefix_and_target_bucket_select_and_rename()
    {
        var plan = StorageRestorePlan.Of(Backup(), new StorageRestoreRequest { Buckets = ["avatars"], Prefix = "a/", TargetBucket = "avatars-copy" });
        var file = Assert.Single(plan.Files);
        Assert.Equal("a/1.png", file.Object!.Key);
        Assert.Equal("avatars-copy", plan.TargetBucketOf(file));
        Assert.Equal(["avatars-copy"], plan.KeysByTargetBucket.Keys);
    }

    [Fact]
    public void A_bucket_the_backup_lacks_or_a_target_bucket_for_several_buckets_is_refused()
    {
        var missing = Assert.Throws<BackupToolsException>(() => StorageRestorePlan.Of(Backup(), new StorageRestoreRequest { Buckets = ["nope"] }));
        Assert.Equal(BackupErrorKind.NotFound, missing.Kind);
        Assert.Contains("'nope'", missing.Message);
        var several = Assert.Throws<BackupToolsException>(() => StorageRestorePlan.Of(Backup(), new StorageRestoreRequest { TargetBucket = "x" }));
        Assert.Equal(BackupErrorKind.InvalidArgument, several.Kind);
        var none = Assert.Throws<BackupToolsException>(() => StorageRestorePlan.Of(new Manifest { Id = "x" }, new StorageRestoreRequest()));
        Assert.Equal(BackupErrorKind.NotFound, none.Kind);
    }
}
