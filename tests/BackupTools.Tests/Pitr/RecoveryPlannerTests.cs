using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Wal;
using Xunit;

namespace BackupTools.Tests.Pitr;

/// <summary>Choosing the base backup and proving the WAL is archived, over made-up listings (no server).</summary>
public sealed class RecoveryPlannerTests
{
    private const long Seg = 16 * 1024 * 1024;
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static Manifest Physical(string id, ulong startSegment, ulong stopSegment, DateTimeOffset stopTime)
    {
        var info = new BaseBackupInfo("db", 5432, "7300000000000000001", "15.18", 1,
            new Lsn(startSegment * Seg + 0x28), new Lsn(stopSegment * Seg + 0x100), Seg, stopTime);
        return new Manifest { Id = id, Kind = "physical", EndTime = stopTime, Components = { new ComponentEntry { Type = "database", Source = info.ToSource() } } };
    }

    private static List<WalFileInfo> Wal(ulong first, ulong last, params ulong[] missing)
    {
        var files = new List<WalFileInfo>();
        for (var n = first; n <= last; n++)
            if (!missing.Contains(n)) files.Add(new WalFileInfo(new WalSegment(1, n).Name(Seg), 100, T0.AddMinutes(n)));
        return files;
    }

    private static readonly Manifest[] Backups =
    {
        Physical("20261125T120100Z-aaaaaa", 2, 2, T0.AddMinutes(2)),
        Physical("20261125T121000Z-bbbbbb", 10, 11, T0.AddMinutes(11)),
    };

    [Fact]
    public void A_time_picks_the_newest_backup_consistent_before_it_and_checks_to_the_newest_segment()
    {
        var plan = RecoveryPlanner.Plan(Backups, Wal(2, 20), RecoveryTarget.AtTime(T0.AddMinutes(15)), null, "repo");
        Assert.Equal("20261125T121000Z-bbbbbb", plan.Backup.Id);
        Assert.Equal(20UL, plan.LastSegment.Number);
        Assert.Equal(11, plan.SegmentCount);
    }

    [Fact]
    public void An_earlier_time_takes_the_older_backup()
    {
        var plan = RecoveryPlanner.Plan(Backups, Wal(2, 20), RecoveryTarget.AtTime(T0.AddMinutes(5)), null, "repo");
        Assert.Equal("20261125T120100Z-aaaaaa", plan.Backup.Id);
    }

    [Fact]
    public void An_lsn_checks_only_up_to_its_segment()
    {
        var plan = RecoveryPlanner.Plan(Backups, Wal(2, 20, 19), RecoveryTarget.AtLsn(new Lsn(12 * Seg + 5).ToString()), null, "repo");
        Assert.Equal(12UL, plan.LastSegment.Number);
    }

    [Fact]
    public void A_gap_is_named()
    {
        var e = Assert.Throws<BackupToolsException>(() => RecoveryPlanner.Plan(Backups, Wal(2, 20, 14), RecoveryTarget.AtTime(T0.AddMinutes(15)), null, "repo"));
        Assert.Equal(BackupErrorKind.NotFound, e.Kind);
        Assert.Equal(new WalSegment(1, 14).Name(Seg), e.Target);
        Assert.Contains(new WalSegment(1, 14).Name(Seg), e.Message);
    }

    [Fact]
    public void A_time_before_every_backup_or_after_the_archive_is_outside_the_window()
    {
        var before = Assert.Throws<BackupToolsException>(() => RecoveryPlanner.Plan(Backups, Wal(2, 20), RecoveryTarget.AtTime(T0), null, "repo"));
        Assert.Contains("before the recoverable window", before.Message);
        var after = Assert.Throws<BackupToolsException>(() => RecoveryPlanner.Plan(Backups, Wal(2, 20), RecoveryTarget.AtTime(T0.AddHours(2)), null, "repo"));
        Assert.Contains("after the newest archived WAL", after.Message);
        var beyond = Assert.Throws<BackupToolsException>(() => RecoveryPlanner.Plan(Backups, Wal(2, 20), RecoveryTarget.AtLsn(new Lsn(30 * Seg).ToString()), null, "repo"));
        Assert.Equal(BackupErrorKind.InvalidArgument, beyond.Kind);
    }

    [Fact]
    public void No_physical_backup_is_not_found()
    {
        var logical = new Manifest { Id = "20261125T120000Z-cccccc", Kind = "logical" };
        var e = Assert.Throws<BackupToolsException>(() => RecoveryPlanner.Plan(new[] { logical }, Wal(2, 3), RecoveryTarget.AtName("x"), null, "repo"));
        Assert.Equal(BackupErrorKind.NotFound, e.Kind);
    }
}
