using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Postgres;
using BackupTools.Core.Wal;
using Xunit;

namespace BackupTools.Tests.Pitr;

/// <summary>WAL names and positions, backup_label/history parsing, recovery log parsing, command quoting: pure logic.</summary>
public sealed class WalNamesTests
{
    private const long Seg16 = 16 * 1024 * 1024;

    [Theory]
    [InlineData("0/3000060", 0x3000060UL)]
    [InlineData("1/0", 0x1_0000_0000UL)]
    [InlineData("A/FF", 0xA_0000_00FFUL)]
    public void Lsn_parses_and_prints_like_postgresql(string text, ulong value)
    {
        Assert.Equal(value, Lsn.Parse(text).Value);
        Assert.Equal(text, Lsn.Parse(text).ToString());
    }

    [Theory]
    [InlineData("0-3000060")]
    [InlineData("x/1")]
    [InlineData("")]
    public void A_bad_lsn_is_invalid_argument_naming_it(string text)
    {
        var e = Assert.Throws<BackupToolsException>(() => Lsn.Parse(text));
        Assert.Equal(BackupErrorKind.InvalidArgument, e.Kind);
        Assert.Equal(text, e.Target);
    }

    [Fact]
    public void Segment_names_split_the_number_as_postgresql_does()
    {
        Assert.Equal("000000010000000000000003", WalSegment.Containing(1, Lsn.Parse("0/3000060"), Seg16).Name(Seg16));
        Assert.Equal("000000020000000100000000", WalSegment.Containing(2, Lsn.Parse("1/0"), Seg16).Name(Seg16));
        Assert.Equal("0000000100000001000000FF", new WalSegment(1, 0x1FF).Name(Seg16));
        Assert.True(WalSegment.TryParse("0000000100000001000000FF", Seg16, out var s));
        Assert.Equal(new WalSegment(1, 0x1FF), s);
        // 64 MiB segments: 64 per "log id".
        Assert.Equal("00000001000000010000003F", new WalSegment(1, 64 + 63).Name(64 * 1024 * 1024));
    }

    [Theory]
    [InlineData("000000010000000000000003", true)]
    [InlineData("00000002.history", true)]
    [InlineData("000000010000000000000003.partial", true)]
    [InlineData("000000010000000000000002.00000028.backup", true)]
    [InlineData("../config.json", false)]
    [InlineData("00000001000000000000000g", false)]
    [InlineData("000000010000000000000003/x", false)]
    public void Only_wal_file_names_are_archivable(string name, bool valid) => Assert.Equal(valid, WalNames.IsValid(name));

    [Fact]
    public void Backup_history_file_name_and_stop_location()
    {
        Assert.Equal("000000010000000000000002.00000028.backup", BackupLabel.HistoryFileName(1, Lsn.Parse("0/2000028"), Seg16));
        var history = "START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\nSTOP WAL LOCATION: 0/2000100 (file 000000010000000000000002)\n" +
                      "CHECKPOINT LOCATION: 0/2000060\nBACKUP METHOD: streamed\nSTART TIME: 2026-11-25 21:40:00 UTC\nSTOP TIME: 2026-11-25 21:40:01 UTC\n";
        var (stop, time) = BackupLabel.ParseHistory(history)!.Value;
        Assert.Equal(Lsn.Parse("0/2000100"), stop);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 21, 40, 1, TimeSpan.Zero), time);
    }

    [Fact]
    public void Recovery_log_gives_the_point_reached()
    {
        const string log = """
            2026-11-25 21:40:05.001 UTC [7] LOG:  starting point-in-time recovery to 2026-11-25 21:40:02.5+00
            2026-11-25 21:40:05.100 UTC [7] LOG:  restored log file "000000010000000000000003" from archive
            2026-11-25 21:40:05.200 UTC [7] LOG:  recovery stopping before commit of transaction 742, time 2026-11-25 21:40:03.25+00
            2026-11-25 21:40:05.201 UTC [7] LOG:  redo done at 0/40000D8 system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.10 s
            2026-11-25 21:40:05.202 UTC [7] LOG:  last completed transaction was at log time 2026-11-25 21:40:01.123456+00
            2026-11-25 21:40:05.300 UTC [7] LOG:  selected new timeline ID: 2
            2026-11-25 21:40:05.400 UTC [7] LOG:  archive recovery complete
            2026-11-25 21:40:05.500 UTC [5] LOG:  database system is ready to accept connections
            """;
        var report = RecoveryLogReport.Parse(log);
        Assert.True(report.Promoted);
        Assert.StartsWith("recovery stopping before commit of transaction 742", report.StopMessage);
        Assert.Equal(Lsn.Parse("0/40000D8"), report.RedoDoneAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 21, 40, 1, TimeSpan.Zero).AddTicks(1234560), report.LastTransactionTime);
        Assert.Equal(2u, report.NewTimeline);
        Assert.Empty(report.Fatal);
    }

    [Fact]
    public void A_recovery_that_ends_early_is_not_promoted_and_says_why()
    {
        var report = RecoveryLogReport.Parse(
            "LOG:  database system is ready to accept read-only connections\nFATAL:  recovery ended before configured recovery target was reached\n");
        Assert.False(report.Promoted);
        Assert.Equal("recovery ended before configured recovery target was reached", Assert.Single(report.Fatal));
    }

    [Fact]
    public void Commands_quote_paths_for_the_shell_and_the_config_file()
    {
        var command = ArchiveCommand.Push("/opt/bt's/backuptools-wal", "/var/lib/pg/backuptools-wal.json");
        Assert.Equal("BACKUPTOOLS_WAL_CONFIG='/var/lib/pg/backuptools-wal.json' '/opt/bt'\\''s/backuptools-wal' push \"%p\" \"%f\"", command);
        Assert.Equal("'a''b\\\\c'", ArchiveCommand.ConfigValue("a'b\\c"));
        var e = Assert.Throws<BackupToolsException>(() => ArchiveCommand.Fetch("/opt/100%/wal", "/x.json"));
        Assert.Equal(BackupErrorKind.InvalidArgument, e.Kind);
    }

    [Fact]
    public void Recovery_targets_become_recovery_settings()
    {
        Assert.Equal(("recovery_target_time", "2026-11-25 21:40:02.500000+00"),
            RecoveryTarget.AtTime(new DateTimeOffset(2026, 11, 25, 22, 40, 2, 500, TimeSpan.FromHours(1))).ToSetting());
        Assert.Equal(("recovery_target_lsn", "0/3000060"), RecoveryTarget.AtLsn("0/3000060").ToSetting());
        Assert.Equal(("recovery_target_name", "before-upgrade"), RecoveryTarget.AtName("before-upgrade").ToSetting());
        Assert.Null(RecoveryTarget.ToLatest().ToSetting());
        Assert.Equal(BackupErrorKind.InvalidArgument, Assert.Throws<BackupToolsException>(() => RecoveryTarget.AtName(new string('x', 64))).Kind);
    }
}
