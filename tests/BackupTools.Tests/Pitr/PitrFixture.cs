using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Tests.EndToEnd;
using BackupTools.Testing;
using Xunit;

namespace BackupTools.Tests.Pitr;

/// <summary>
/// One PostgreSQL 15 cluster of its own with archive_mode = on, archiving through the WAL program into a local
/// repository, one physical base backup, then rows at T1 &lt; T2 &lt; T3 with WAL switches between; the time, LSN and
/// restore point between T2 and T3 are kept for the recoveries.
/// </summary>
public sealed class PitrFixture : IAsyncLifetime
{
    /// <summary>A value that must never appear in the clear in the repository.</summary>
    public const string Marker = "pitr-marker-7f3a9c2e51d84b06";
    /// <summary>The restore point made between T2 and T3.</summary>
    public const string RestorePoint = "after_t2";

    public PostgresCluster Cluster { get; private set; } = null!;
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "bt-pitr-" + Guid.NewGuid().ToString("N")[..8]);
    public string RepositoryFolder => Path.Combine(Root, "repository");
    public RepositoryLocation Location => BlobStoreFactory.Parse(RepositoryFolder);
    public BackupRepository Repository { get; private set; } = null!;
    public Manifest Backup { get; private set; } = null!;
    public WalArchivingOutcome Archiving { get; private set; } = null!;
    public DateTimeOffset TimeBetweenT2AndT3 { get; private set; }
    public string LsnAfterT2 { get; private set; } = "";

    /// <summary>The WAL program built next to the tests (framework-dependent apphost).</summary>
    public static string WalProgram
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            return Path.Combine(RepoPaths.Root, "src", "BackupTools.Wal", "bin", configuration, "net10.0", "backuptools-wal");
        }
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        Cluster = await PostgresCluster.StartAsync(extraSettings: PostgresCluster.ArchiveSettings);
        var store = BlobStoreFactory.Open(Location);
        Repository = await BackupRepository.CreateAsync(store, EndToEndHelpers.Passphrase, EndToEndHelpers.FastOptions());
        Archiving = await WalArchiving.EnableAsync(Repository, Location,
            new WalArchivingRequest { ConnectionString = Cluster.Uri("postgres"), WalProgram = WalProgram }, NullBackupLog.Instance);

        await Cluster.ExecuteAsync("postgres", "CREATE TABLE t (phase int, note text, filler text)");
        await InsertAsync(1);
        await Cluster.ExecuteAsync("postgres", "SELECT pg_switch_wal()");
        var job = new BackupJobRequest
        {
            Database = new DatabaseBackupRequest
            {
                ConnectionString = Cluster.Uri("postgres"), PgBinDirectory = Cluster.State.BinDirectory, Method = DatabaseBackupMethod.Physical,
            },
            Tags = new[] { "pitr" },
        };
        Backup = (await BackupJob.RunAsync(new[] { Repository }, job, null, NullBackupLog.Instance)).Single().Manifest!;

        await InsertAsync(2);
        // The insert position: with synchronous_commit = off the write position (pg_current_wal_lsn) may still be before the commit.
        LsnAfterT2 = (await Cluster.ScalarAsync<string>("postgres", "SELECT pg_current_wal_insert_lsn()::text"))!;
        await Cluster.ExecuteAsync("postgres", $"SELECT pg_create_restore_point('{RestorePoint}')");
        await Cluster.ExecuteAsync("postgres", "SELECT pg_switch_wal()");
        await Task.Delay(1100);
        TimeBetweenT2AndT3 = DateTimeOffset.UtcNow;
        await Task.Delay(1100);
        await InsertAsync(3);
        await WaitForArchiveAsync((await Cluster.ScalarAsync<string>("postgres", "SELECT pg_walfile_name(pg_switch_wal())"))!);
    }

    /// <summary>100 rows of phase <paramref name="phase"/> (phase 1 carries the marker), committed.</summary>
    private Task InsertAsync(int phase) => Cluster.ExecuteAsync("postgres",
        $"INSERT INTO t SELECT {phase}, CASE WHEN {phase} = 1 THEN '{Marker}' ELSE 'row' END, repeat(md5(g::text), 20) FROM generate_series(1, 100) g");

    /// <summary>Waits until <paramref name="segment"/> is in the repository (the archiver works in order, so every earlier one is too).</summary>
    public async Task WaitForArchiveAsync(string segment)
    {
        for (var i = 0; i < 300 && !await Repository.HasWalAsync(segment); i++) await Task.Delay(100);
        Assert.True(await Repository.HasWalAsync(segment), $"WAL segment {segment} was not archived.");
    }

    /// <summary>A fresh folder under the fixture root for a recovered data directory.</summary>
    public string NewDataDirectory(string name) => Path.Combine(Root, name, "data");

    public async Task DisposeAsync()
    {
        foreach (var data in Directory.Exists(Root) ? Directory.GetDirectories(Root).Select(d => Path.Combine(d, "data")) : [])
            await Cluster.StopServerAsync(data);
        await Cluster.StopAsync();
        Repository.Store.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
