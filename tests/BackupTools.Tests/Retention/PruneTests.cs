using System.Diagnostics;
using BackupTools.Core;
using BackupTools.Core.Repository;
using BackupTools.Core.Retention;
using Xunit;

namespace BackupTools.Tests.Retention;

/// <summary>Removal and prune against real stores: a local folder and a bucket on s3rver.</summary>
public class PruneTests
{
    private static readonly DateTimeOffset Day1 = new(2026, 3, 1, 2, 0, 0, TimeSpan.Zero);
    private static readonly PruneOptions Now = new() { GracePeriod = TimeSpan.Zero };

    [Theory]
    [InlineData("local")]
    [InlineData("s3")]
    public async Task Removing_expired_backups_and_pruning_shrinks_the_repository_and_the_kept_backups_pass_a_full_verify(string kind)
    {
        using var kit = await PruneTestKit.CreateAsync(kind);
        using var repository = await kit.CreateRepositoryAsync();
        var backups = new List<Manifest>();
        for (var i = 0; i < 4; i++)
            backups.Add(await PruneTestKit.BackupAsync(repository, new MemoryStream(PruneTestKit.Data(i)), Day1.AddDays(i)));

        var decisions = await RetentionPlanner.PlanAsync(repository, new RetentionPolicy { KeepLast = 2 }, NullBackupLog.Instance);
        Assert.Equal(new[] { RetentionAction.Remove, RetentionAction.Remove, RetentionAction.Keep, RetentionAction.Keep }, decisions.Select(d => d.Action));
        foreach (var expired in decisions.Where(d => d.Action == RetentionAction.Remove)) await repository.DeleteManifestAsync(expired.Backup.Id);
        Assert.Equal(backups.Skip(2).Select(b => b.Id), (await repository.ListManifestsAsync()).Select(m => m.Id));

        var before = await kit.ObjectsAsync("data/");
        var graced = await repository.PruneAsync(new PruneOptions());
        Assert.Equal(0, graced.ChunksDeleted);
        Assert.True(graced.ChunksInGracePeriod > 0, "the removed backups' own chunks were written moments ago");
        Assert.Equal(before.Count, (await kit.ObjectsAsync("data/")).Count);

        var result = await repository.PruneAsync(Now);
        var after = await kit.ObjectsAsync("data/");
        var kept = backups.Skip(2).SelectMany(ChunkIds).ToHashSet();
        var removedOnly = backups.Take(2).SelectMany(ChunkIds).Where(id => !kept.Contains(id)).ToHashSet();
        Assert.NotEmpty(removedOnly);
        Assert.Equal(removedOnly.Count, result.ChunksDeleted);
        Assert.Equal(before.Count - after.Count, result.ChunksDeleted);
        Assert.Equal(before.Values.Sum() - after.Values.Sum(), result.BytesFreed);
        Assert.Equal(kept.Count, result.ChunksReferenced);
        Assert.Equal(kept.OrderBy(id => id), after.Keys.Select(k => k[(k.LastIndexOf('/') + 1)..]).OrderBy(id => id));
        Assert.Equal(2, result.BackupsRetained);
        Assert.Equal(0, result.WalSegmentsDeleted);
        Assert.NotNull(result.WalSkippedReason);

        using var reopened = await kit.OpenAsync();
        foreach (var manifest in await reopened.ListManifestsAsync())
            Assert.All(await reopened.VerifyAsync(manifest, VerifyLevel.Full), check => Assert.True(check.Success, string.Join("; ", check.Errors)));
        Assert.Equal(0, (await repository.PruneAsync(Now)).ChunksDeleted);
        Assert.Empty(await kit.ObjectsAsync("locks/"));
    }

    [Theory]
    [InlineData("local")]
    [InlineData("s3")]
    public async Task A_prune_while_another_instance_is_backing_up_is_refused_and_the_backup_stays_whole(string kind)
    {
        using var kit = await PruneTestKit.CreateAsync(kind);
        using var pruner = await kit.CreateRepositoryAsync();
        // The first backup's chunks lose their only manifest: garbage, except that the running backup reuses them.
        var old = await PruneTestKit.BackupAsync(pruner, new MemoryStream(PruneTestKit.Data(7)), Day1);
        await pruner.DeleteManifestAsync(old.Id);

        using var writer = await kit.OpenAsync();
        var data = PruneTestKit.Data(7);
        var source = new PausingStream(data, data.Length - 100_000);
        var running = PruneTestKit.BackupAsync(writer, source, Day1.AddDays(1));
        await source.Paused.WaitAsync(TimeSpan.FromMinutes(1));
        var before = await kit.ObjectsAsync("data/");

        var busy = await Assert.ThrowsAsync<BackupToolsException>(() => pruner.PruneAsync(Now));
        Assert.Equal(BackupErrorKind.ResourceBusy, busy.Kind);
        Assert.Contains("test backup", busy.Message);
        Assert.Equal(before.Keys.Order(), (await kit.ObjectsAsync("data/")).Keys.Order());

        source.Resume();
        var backup = await running;
        Assert.Equal(ChunkIds(old).ToHashSet(), ChunkIds(backup).ToHashSet());
        Assert.Equal(0, backup.Stats.ChunksNew);
        var result = await pruner.PruneAsync(Now);
        Assert.Equal(0, result.ChunksDeleted);
        Assert.All(await pruner.VerifyAsync(await pruner.LoadManifestAsync(backup.Id), VerifyLevel.Full), check => Assert.True(check.Success, string.Join("; ", check.Errors)));
    }

    [Fact]
    public async Task A_backup_after_a_prune_by_another_instance_uploads_the_pruned_chunks_again()
    {
        using var kit = await PruneTestKit.CreateAsync("local");
        using var writer = await kit.CreateRepositoryAsync();
        var first = await PruneTestKit.BackupAsync(writer, new MemoryStream(PruneTestKit.Data(3)), Day1); // writer now knows these chunks
        await writer.DeleteManifestAsync(first.Id);
        using (var pruner = await kit.OpenAsync())
            Assert.Equal(ChunkIds(first).Distinct().Count(), (await pruner.PruneAsync(Now)).ChunksDeleted);

        var second = await PruneTestKit.BackupAsync(writer, new MemoryStream(PruneTestKit.Data(3)), Day1.AddDays(1));
        Assert.Equal(second.Stats.ChunksTotal, second.Stats.ChunksNew);
        Assert.All(await writer.VerifyAsync(second, VerifyLevel.Full), check => Assert.True(check.Success, string.Join("; ", check.Errors)));
    }

    [Fact]
    public async Task Stale_locks_do_not_block_a_prune_and_are_removed()
    {
        using var kit = await PruneTestKit.CreateAsync("local");
        using var repository = await kit.CreateRepositoryAsync();
        using var dead = Process.Start(new ProcessStartInfo("sleep") { ArgumentList = { "60" } })!;
        dead.Kill();
        await dead.WaitForExitAsync();
        var now = DateTimeOffset.UtcNow;
        await repository.WriteLockAsync(new string('1', 32), new LockRecord
        {
            Host = Environment.MachineName, Pid = dead.Id, Purpose = "killed backup", Created = now, Expires = now.AddMinutes(30),
        }, default);
        await repository.WriteLockAsync(new string('2', 32), new LockRecord
        {
            Host = "another-host", Pid = 1, Purpose = "forgotten backup", Created = now.AddHours(-2), Expires = now.AddHours(-1),
        }, default);

        await repository.PruneAsync(Now);
        Assert.Empty(await kit.ObjectsAsync("locks/"));

        await repository.WriteLockAsync(new string('3', 32), new LockRecord
        {
            Host = "another-host", Pid = 1, Purpose = "remote backup", Created = now, Expires = now.AddMinutes(30),
        }, default);
        var busy = await Assert.ThrowsAsync<BackupToolsException>(() => repository.PruneAsync(Now));
        Assert.Equal(BackupErrorKind.ResourceBusy, busy.Kind);
        Assert.Contains("another-host", busy.Message);
    }

    [Fact]
    public async Task Wal_older_than_every_physical_backups_first_segment_is_pruned_and_history_files_stay()
    {
        using var kit = await PruneTestKit.CreateAsync("local");
        using var repository = await kit.CreateRepositoryAsync();
        string[] wal =
        [
            "000000010000000000000001", "000000010000000000000002", "000000010000000000000003", "000000010000000000000004",
            "000000020000000000000004", "000000020000000000000005", "00000002.history", "000000010000000000000002.partial",
        ];
        foreach (var name in wal) await kit.Store.PutAsync("wal/" + name, new byte[100]);

        var none = await repository.PruneAsync(Now);
        Assert.Equal(0, none.WalSegmentsDeleted);
        Assert.Contains("no physical backup", none.WalSkippedReason);
        Assert.Equal(wal.Length, (await kit.ObjectsAsync("wal/")).Count);

        await repository.SaveManifestAsync(PhysicalManifest(Day1, "000000010000000000000003"));
        await repository.SaveManifestAsync(PhysicalManifest(Day1.AddDays(1), "000000020000000000000004"));
        var result = await repository.PruneAsync(Now);
        Assert.Equal(2, result.WalSegmentsDeleted);
        Assert.Equal(200, result.WalBytesFreed);
        Assert.Null(result.WalSkippedReason);
        Assert.Equal(wal.Skip(2).Select(n => "wal/" + n).Order(), (await kit.ObjectsAsync("wal/")).Keys.Order());

        await repository.SaveManifestAsync(PhysicalManifest(Day1.AddDays(2), null));
        var unknown = await repository.PruneAsync(Now);
        Assert.Equal(0, unknown.WalSegmentsDeleted);
        Assert.Contains("walStart", unknown.WalSkippedReason);
    }

    [Fact]
    public async Task A_prune_refuses_to_run_when_a_manifest_cannot_be_read()
    {
        using var kit = await PruneTestKit.CreateAsync("local");
        using var repository = await kit.CreateRepositoryAsync();
        var gone = await PruneTestKit.BackupAsync(repository, new MemoryStream(PruneTestKit.Data(1)), Day1);
        await repository.DeleteManifestAsync(gone.Id);
        await kit.Store.PutAsync("snapshots/20260301T020000Z-badbad", new byte[64]);
        var before = await kit.ObjectsAsync("data/");

        var e = await Assert.ThrowsAsync<BackupToolsException>(() => repository.PruneAsync(Now));
        Assert.Equal(BackupErrorKind.Corrupt, e.Kind);
        Assert.Contains("20260301T020000Z-badbad", e.Message);
        Assert.Equal(before.Count, (await kit.ObjectsAsync("data/")).Count);

        var missing = await Assert.ThrowsAsync<BackupToolsException>(() => repository.DeleteManifestAsync(gone.Id));
        Assert.Equal(BackupErrorKind.NotFound, missing.Kind);
        Assert.Contains(gone.Id, missing.Message);
    }

    private static Manifest PhysicalManifest(DateTimeOffset time, string? walStart)
    {
        var component = new ComponentEntry { Type = "database", Name = "cluster" };
        if (walStart is not null) component.Source[WalRetention.WalStartField] = walStart;
        return new Manifest { Id = Manifest.NewId(time), Kind = "physical", StartTime = time, EndTime = time, Components = { component } };
    }

    private static IEnumerable<string> ChunkIds(Manifest manifest)
        => manifest.Components.SelectMany(c => c.Files).SelectMany(f => f.Chunks).Select(c => c.Id);
}
