using BackupTools.Core.Repository;

namespace BackupTools.Tests.Pitr;

/// <summary>
/// One PostgreSQL 15 cluster of its own with archive_mode = on, archiving through the WAL program into a local
/// repository, one physical base backup, then rows at T1 &lt; T2 &lt; T3 with WAL switches between; the time, LSN and
/// restore point between T2 and T3 are kept for the recoveries.
/// </summary>
public sealed class PitrFixture : ArchivingClusterFixture
{
    /// <summary>A value that must never appear in the clear in the repository.</summary>
    public const string Marker = "pitr-marker-7f3a9c2e51d84b06";
    /// <summary>The restore point made between T2 and T3.</summary>
    public const string RestorePoint = "after_t2";

    public Manifest Backup { get; private set; } = null!;
    public DateTimeOffset TimeBetweenT2AndT3 { get; private set; }
    public string LsnAfterT2 { get; private set; } = "";

    protected override async Task PrepareAsync()
    {
        await Cluster.ExecuteAsync("postgres", "CREATE TABLE t (phase int, note text, filler text)");
        await InsertAsync(1);
        await Cluster.ExecuteAsync("postgres", "SELECT pg_switch_wal()");
        Backup = await PhysicalBackupAsync();

        await InsertAsync(2);
        // The insert position: with synchronous_commit = off the write position (pg_current_wal_lsn) may still be before the commit.
        LsnAfterT2 = (await Cluster.ScalarAsync<string>("postgres", "SELECT pg_current_wal_insert_lsn()::text"))!;
        await Cluster.ExecuteAsync("postgres", $"SELECT pg_create_restore_point('{RestorePoint}')");
        await Cluster.ExecuteAsync("postgres", "SELECT pg_switch_wal()");
        await Task.Delay(1100);
        TimeBetweenT2AndT3 = DateTimeOffset.UtcNow;
        await Task.Delay(1100);
        await InsertAsync(3);
        await SwitchAndWaitForArchiveAsync();
    }

    /// <summary>100 rows of phase <paramref name="phase"/> (phase 1 carries the marker), committed.</summary>
    private Task InsertAsync(int phase) => Cluster.ExecuteAsync("postgres",
        $"INSERT INTO t SELECT {phase}, CASE WHEN {phase} = 1 THEN '{Marker}' ELSE 'row' END, repeat(md5(g::text), 20) FROM generate_series(1, 100) g");
}
