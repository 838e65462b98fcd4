using BackupTools.Core;
using BackupTools.Core.Repository;
using Xunit;

namespace BackupTools.Tests.Format;

public class ManifestAndLockTests
{
    private static Manifest NewManifest(DateTimeOffset time, string tag) => new()
    {
        Id = Manifest.NewId(time),
        Tags = { tag },
        StartTime = time,
        Components =
        {
            new ComponentEntry
            {
                Name = "app", Source = { ["host"] = "db.example" },
                Files = { new FileEntry { Name = "dump", Size = 3, Sha256 = "ab", Chunks = { new ChunkRef { Id = new string('a', 64), Length = 3, StoredLength = 33 } } } },
            },
        },
    };

    [Fact]
    public async Task Manifests_save_load_and_list_sorted()
    {
        using var temp = new TempRepository();
        using var repository = await temp.CreateAsync();
        var late = NewManifest(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), "late");
        var early = NewManifest(new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero), "early");
        await repository.SaveManifestAsync(late);
        await repository.SaveManifestAsync(early);

        using var reopened = await temp.OpenAsync();
        var loaded = await reopened.LoadManifestAsync(late.Id);
        Assert.Equal("late", Assert.Single(loaded.Tags));
        Assert.Equal("db.example", loaded.Components[0].Source["host"]);
        Assert.Equal(new string('a', 64), loaded.Components[0].Files[0].Chunks[0].Id);

        var list = await reopened.ListManifestsAsync();
        Assert.Equal(new[] { early.Id, late.Id }, list.Select(m => m.Id));
        Assert.Empty(reopened.UnreadableManifestIds);
    }

    [Fact]
    public async Task Unknown_id_is_NotFound_naming_it()
    {
        using var temp = new TempRepository();
        using var repository = await temp.CreateAsync();
        var e = await Assert.ThrowsAsync<BackupToolsException>(() => repository.LoadManifestAsync("20200101T000000Z-abcdef"));
        Assert.Equal(BackupErrorKind.NotFound, e.Kind);
        Assert.Contains("20200101T000000Z-abcdef", e.Message);

        var bad = await Assert.ThrowsAsync<BackupToolsException>(() => repository.LoadManifestAsync("../config.json"));
        Assert.Equal(BackupErrorKind.InvalidArgument, bad.Kind);
    }

    [Fact]
    public async Task A_tampered_manifest_is_Corrupt_and_does_not_hide_the_others()
    {
        using var temp = new TempRepository();
        using var repository = await temp.CreateAsync();
        var good = NewManifest(DateTimeOffset.UtcNow.AddDays(-1), "good");
        var bad = NewManifest(DateTimeOffset.UtcNow, "bad");
        await repository.SaveManifestAsync(good);
        await repository.SaveManifestAsync(bad);
        var path = Path.Combine(temp.Folder, "snapshots", bad.Id);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x80;
        File.WriteAllBytes(path, bytes);

        var e = await Assert.ThrowsAsync<BackupToolsException>(() => repository.LoadManifestAsync(bad.Id));
        Assert.Equal(BackupErrorKind.Corrupt, e.Kind);
        Assert.Contains(bad.Id, e.Message);

        var list = await repository.ListManifestsAsync();
        Assert.Equal(good.Id, Assert.Single(list).Id);
        Assert.Equal(bad.Id, Assert.Single(repository.UnreadableManifestIds));
    }

    [Fact]
    public async Task Shared_locks_coexist_and_exclusive_conflicts_naming_the_holder()
    {
        using var temp = new TempRepository();
        using var repository = await temp.CreateAsync();
        var locks = Path.Combine(temp.Folder, "locks");

        await using (await repository.LockAsync(false, "backup one"))
        await using (await repository.LockAsync(false, "backup two"))
        {
            Assert.Equal(2, Directory.GetFiles(locks).Length);
            var e = await Assert.ThrowsAsync<BackupToolsException>(() => repository.LockAsync(true, "prune"));
            Assert.Equal(BackupErrorKind.ResourceBusy, e.Kind);
            Assert.Contains(Environment.MachineName, e.Message);
            Assert.Contains(Environment.ProcessId.ToString(), e.Message);
            Assert.Contains("backup", e.Message);
            Assert.Equal(2, Directory.GetFiles(locks).Length); // the refused lock was removed
        }
        Assert.Empty(Directory.GetFiles(locks));

        await using (await repository.LockAsync(true, "prune"))
        {
            var e = await Assert.ThrowsAsync<BackupToolsException>(() => repository.LockAsync(false, "backup"));
            Assert.Equal(BackupErrorKind.ResourceBusy, e.Kind);
            Assert.Contains("prune", e.Message);
        }
        await using (await repository.LockAsync(true, "prune again")) { }
    }
}
