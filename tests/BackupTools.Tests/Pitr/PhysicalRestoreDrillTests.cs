using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Reports;
using Xunit;

namespace BackupTools.Tests.Pitr;

/// <summary>
/// Restore drills of a physical base backup against real PostgreSQL 15: a scratch cluster recovered to the backup's end,
/// checked, stopped and deleted; the result recorded where Get-BackupStatus reads it; a damaged chunk fails cleanly; the
/// drill never archives into the production repository.
/// </summary>
[Collection(PitrCollection.Name)]
public sealed class PhysicalRestoreDrillTests(PitrFixture fixture)
{
    [Fact]
    public async Task A_drill_recovers_a_scratch_cluster_checks_every_database_and_leaves_nothing_behind()
    {
        var scratch = ScratchFolder("drill-ok");
        var walBefore = await WalNamesAsync();

        var drill = await DrillAsync(scratch);

        Assert.True(drill.Success, string.Join("; ", drill.Errors));
        Assert.True(drill.RecoveryTime > TimeSpan.Zero && drill.WithinRto);
        Assert.StartsWith(scratch, drill.ScratchDataDirectory);
        // The fixture's table t is the one user table of the postgres database; template1 connects too.
        Assert.Contains("Database postgres: connects, 1 user table(s), checks passed.", drill.Checks);
        Assert.Contains(drill.Checks, c => c.StartsWith("Database template1: connects, 0 user table(s)"));
        Assert.Equal(new[] { "Restore and recover to the backup's end", "Check every database", "Stop and remove the scratch cluster" },
            drill.Steps.Select(s => s.Name));
        Assert.All(drill.Steps, s => Assert.True(s.Success, s.Name));
        AssertNothingLeft(scratch, drill);
        // archive_mode was off in the scratch copy: its promotion archived no new timeline (nor anything else).
        Assert.Equal(walBefore, await WalNamesAsync());

        var recorded = (await fixture.Repository.LoadManifestAsync(fixture.Backup.Id)).Verifications.Last();
        Assert.Equal(("Restore", true), (recorded.Level, recorded.Success));
        Assert.Equal(drill.RecoveryTime.TotalSeconds, recorded.DurationSeconds!.Value, 3);
        var status = await StatusReader.ReadAsync(fixture.Repository, "pitr", new StatusPolicy(), DateTimeOffset.UtcNow);
        var source = Assert.Single(status.Sources, s => s.LastDrill?.BackupId == fixture.Backup.Id);
        Assert.True(source.LastDrill!.Success);
        Assert.Equal(TimeSpan.FromSeconds(recorded.DurationSeconds.Value), source.LastDrill.Duration);
    }

    [Fact]
    public async Task A_drill_of_a_base_backup_with_a_flipped_byte_fails_records_the_failure_and_leaves_nothing_behind()
    {
        var tar = PhysicalBackup.TarFiles(fixture.Backup.Components.SelectMany(c => c.Files)).MaxBy(f => f.Size)!;
        var chunk = tar.Chunks[tar.Chunks.Count / 2];
        var path = Path.Combine(fixture.RepositoryFolder, "data", chunk.Id[..2], chunk.Id);
        var original = await File.ReadAllBytesAsync(path);
        var damaged = original.ToArray();
        damaged[damaged.Length / 2] ^= 0x01;
        var scratch = ScratchFolder("drill-corrupt");
        RestoreDrillOutcome drill;
        await File.WriteAllBytesAsync(path, damaged);
        try
        {
            drill = await DrillAsync(scratch);
        }
        finally
        {
            await File.WriteAllBytesAsync(path, original);
        }

        Assert.False(drill.Success);
        Assert.Contains(drill.Errors, e => e.Contains(chunk.Id));
        Assert.DoesNotContain(drill.Steps, s => s.Name == "Check every database");
        Assert.True(Assert.Single(drill.Steps, s => s.Name == "Stop and remove the scratch cluster").Success);
        AssertNothingLeft(scratch, drill);
        var recorded = (await fixture.Repository.LoadManifestAsync(fixture.Backup.Id)).Verifications.Last();
        Assert.Equal(("Restore", false), (recorded.Level, recorded.Success));
        Assert.Contains(recorded.Errors, e => e.Contains(chunk.Id));
    }

    [Fact]
    public async Task TargetServer_is_refused_for_a_physical_backup_before_anything_is_written_or_recorded()
    {
        var before = (await fixture.Repository.LoadManifestAsync(fixture.Backup.Id)).Verifications.Count;
        var scratch = ScratchFolder("drill-target");
        var e = await Assert.ThrowsAsync<BackupToolsException>(() => RestoreDrill.RunAsync(fixture.Repository, fixture.Backup,
            Request(scratch, fixture.Cluster.Uri("postgres")), null, NullBackupLog.Instance));
        Assert.Equal(BackupErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("-TargetServer", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch));
        Assert.Equal(before, (await fixture.Repository.LoadManifestAsync(fixture.Backup.Id)).Verifications.Count);
    }

    /// <summary>An empty folder of the fixture's own for the scratch cluster (removed with the fixture).</summary>
    private string ScratchFolder(string name)
    {
        var path = Path.Combine(fixture.Root, name);
        Directory.CreateDirectory(path);
        return path;
    }

    private RestoreDrillRequest Request(string scratch, string? targetServer = null) => new()
    {
        TargetServer = targetServer,
        Location = fixture.Location,
        WalProgram = PitrFixture.WalProgram,
        PgBinDirectory = fixture.Cluster.State.BinDirectory,
        ScratchDirectory = scratch,
    };

    private Task<RestoreDrillOutcome> DrillAsync(string scratch)
        => RestoreDrill.RunAsync(fixture.Repository, fixture.Backup, Request(scratch), null, NullBackupLog.Instance);

    private async Task<List<string>> WalNamesAsync() => (await fixture.Repository.ListWalAsync()).Select(f => f.Name).Order().ToList();

    /// <summary>No folder in <paramref name="scratch"/> and no process whose command line names the scratch data directory.</summary>
    private static void AssertNothingLeft(string scratch, RestoreDrillOutcome drill)
    {
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch));
        Assert.Empty(ProcessesNaming(drill.ScratchDataDirectory));
    }

    private static IEnumerable<string> ProcessesNaming(string text)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            string commandLine;
            try { commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' '); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            if (commandLine.Contains(text, StringComparison.Ordinal)) yield return $"{Path.GetFileName(dir)}: {commandLine}";
        }
    }
}
