using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Wal;
using Xunit;

namespace BackupTools.Tests.Pitr;

/// <summary>
/// Point-in-time recovery against real PostgreSQL 15: rows at T1 &lt; T2 &lt; T3; recovery to a time, an LSN and a
/// restore point between T2 and T3 gives exactly the T1 and T2 rows; a missing segment fails before anything is
/// written; nothing of the data is readable in the repository.
/// </summary>
[Collection(PitrCollection.Name)]
public sealed class PointInTimeRecoveryTests(PitrFixture fixture)
{
    [Fact]
    public async Task Enable_WalArchiving_sees_a_switched_segment_arrive()
    {
        Assert.False(fixture.Archiving.RestartRequired);
        Assert.NotNull(fixture.Archiving.VerifiedSegment);
        Assert.True(WalNames.IsSegment(fixture.Archiving.VerifiedSegment!));
        Assert.Contains(fixture.Archiving.ConfigPath, fixture.Archiving.ArchiveCommand);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(fixture.Archiving.ConfigPath));
        var command = await fixture.Cluster.ScalarAsync<string>("postgres", "SELECT current_setting('archive_command')");
        Assert.Equal(fixture.Archiving.ArchiveCommand, command);
    }

    [Fact]
    public void Physical_manifest_records_the_wal_range()
    {
        var info = BaseBackupInfo.From(fixture.Backup)!;
        Assert.Equal("physical", fixture.Backup.Kind);
        Assert.Equal(1u, info.Timeline);
        Assert.True(info.StopLsn > info.StartLsn);
        var source = fixture.Backup.Components.Single().Source;
        Assert.Equal(info.WalStart.Name(info.SegmentSize), source["walStart"]);
        Assert.Matches("^[0-9]+$", source["systemIdentifier"]);
        Assert.StartsWith("15.", source["serverVersion"]);
    }

    [Fact]
    public async Task Recovery_to_a_time_between_T2_and_T3_has_exactly_the_T1_and_T2_rows()
        => await RecoverAndCheckAsync("time", RecoveryTarget.AtTime(fixture.TimeBetweenT2AndT3));

    [Fact]
    public async Task Recovery_to_an_lsn_after_T2_has_exactly_the_T1_and_T2_rows()
        => await RecoverAndCheckAsync("lsn", RecoveryTarget.AtLsn(fixture.LsnAfterT2));

    [Fact]
    public async Task Recovery_to_a_restore_point_has_exactly_the_T1_and_T2_rows()
        => await RecoverAndCheckAsync("name", RecoveryTarget.AtName(PitrFixture.RestorePoint));

    [Fact]
    public async Task Archive_status_shows_the_window_from_the_backup_to_the_newest_segment_without_gaps()
    {
        var status = await WalArchiveStatus.ReadAsync(fixture.Repository, fixture.Cluster.Uri("postgres"));
        var info = BaseBackupInfo.From(fixture.Backup)!;
        Assert.Empty(status.Gaps);
        Assert.Equal(fixture.Backup.Id, status.OldestRecoverableBackup);
        Assert.Equal(info.StopTime, status.WindowStart);
        Assert.True(status.WindowEnd > fixture.TimeBetweenT2AndT3);
        Assert.True(status.SegmentCount >= 3);
        Assert.Equal(0, status.SegmentsBehind);
        Assert.Null(status.ArchiverFailure);
        Assert.True(string.CompareOrdinal(status.LastArchived, status.ServerSegment) < 0);
    }

    [Fact]
    public async Task Recovery_to_the_latest_archived_wal_has_all_three_phases()
        => await RecoverAndCheckAsync("latest", RecoveryTarget.ToLatest(), "1:100,2:100,3:100");

    [Fact]
    public async Task Test_backup_checks_the_wal_the_backup_needs()
    {
        foreach (var level in new[] { Core.Repository.VerifyLevel.Quick, Core.Repository.VerifyLevel.Full })
        {
            var checks = await fixture.Repository.VerifyAsync(fixture.Backup, level);
            Assert.All(checks, c => Assert.True(c.Success, string.Join("; ", c.Errors)));
        }
    }

    [Fact]
    public async Task A_missing_segment_fails_before_anything_is_written_and_names_it()
    {
        var info = BaseBackupInfo.From(fixture.Backup)!;
        var missing = new WalSegment(info.Timeline, info.WalStop.Number + 1).Name(info.SegmentSize);
        var data = fixture.NewDataDirectory("gap");
        await WithoutWalFileAsync(missing, async () =>
        {
            var e = await Assert.ThrowsAsync<BackupToolsException>(() => RecoverAsync(data, RecoveryTarget.AtTime(fixture.TimeBetweenT2AndT3), start: false));
            Assert.Equal(BackupErrorKind.NotFound, e.Kind);
            Assert.Contains(missing, e.Message);
            Assert.Equal(missing, e.Target);
            Assert.False(Directory.Exists(data));
            Assert.False(File.Exists(Path.Combine(fixture.Root, "gap", WalArchiveConfig.FileName)));
        });
    }

    [Fact]
    public async Task Test_backup_names_a_missing_segment_the_backup_needs()
    {
        var info = BaseBackupInfo.From(fixture.Backup)!;
        var name = info.WalStop.Name(info.SegmentSize);
        await WithoutWalFileAsync(name, async () =>
        {
            var check = Assert.Single(await fixture.Repository.VerifyAsync(fixture.Backup, Core.Repository.VerifyLevel.Quick));
            Assert.False(check.Success);
            Assert.Contains(check.Errors, e => e.Contains(name));
        });
    }

    [Fact]
    public async Task A_target_before_the_oldest_backup_is_outside_the_window()
    {
        var e = await Assert.ThrowsAsync<BackupToolsException>(() =>
            RecoverAsync(fixture.NewDataDirectory("early"), RecoveryTarget.AtTime(fixture.Backup.StartTime.AddHours(-1)), start: false));
        Assert.Equal(BackupErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("before the recoverable window", e.Message);
        Assert.False(Directory.Exists(fixture.NewDataDirectory("early")));
    }

    [Fact]
    public async Task A_non_empty_data_directory_is_refused_without_force()
    {
        var data = fixture.NewDataDirectory("busy");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "keep.txt"), "mine");
        var e = await Assert.ThrowsAsync<BackupToolsException>(() => RecoverAsync(data, RecoveryTarget.AtName(PitrFixture.RestorePoint), start: false));
        Assert.Equal(BackupErrorKind.InvalidOperation, e.Kind);
        Assert.Contains("-Force", e.Message);
        Assert.Equal("mine", await File.ReadAllTextAsync(Path.Combine(data, "keep.txt")));
    }

    [Fact]
    public void No_plaintext_of_the_marker_row_in_any_repository_file()
    {
        var marker = System.Text.Encoding.UTF8.GetBytes(PitrFixture.Marker);
        var files = Directory.GetFiles(fixture.RepositoryFolder, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.Contains($"{Path.DirectorySeparatorChar}wal{Path.DirectorySeparatorChar}"));
        foreach (var file in files)
            Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(marker) < 0, $"{file} holds the marker in the clear.");
    }

    /// <summary>Runs <paramref name="body"/> while the archived WAL file <paramref name="name"/> is moved out of the repository.</summary>
    private async Task WithoutWalFileAsync(string name, Func<Task> body)
    {
        var path = Path.Combine(fixture.RepositoryFolder, "wal", name);
        var saved = Path.Combine(fixture.Root, name + ".saved");
        File.Move(path, saved);
        try { await body(); }
        finally { File.Move(saved, path); }
    }

    private Task<PointInTimeRecoveryOutcome> RecoverAsync(string dataDirectory, RecoveryTarget target, bool start) =>
        fixture.RecoverAsync(dataDirectory, target, start);

    private async Task RecoverAndCheckAsync(string name, RecoveryTarget target, string expectedRows = "1:100,2:100")
    {
        var outcome = await fixture.RecoverAndQueryAsync(name, target, async conn =>
        {
            await using var cmd = new Npgsql.NpgsqlCommand("SELECT string_agg(phase || ':' || n, ',' ORDER BY phase) FROM (SELECT phase, count(*) n FROM t GROUP BY phase) x", conn);
            Assert.Equal(expectedRows, await cmd.ExecuteScalarAsync());
        });
        Assert.Equal(fixture.Backup.Id, outcome.BackupId);
        Assert.NotNull(outcome.ReachedLsn);
        Assert.NotNull(outcome.StopMessage);
    }
}

[CollectionDefinition(Name)]
public sealed class PitrCollection : ICollectionFixture<PitrFixture>
{
    public const string Name = "Pitr";
}
