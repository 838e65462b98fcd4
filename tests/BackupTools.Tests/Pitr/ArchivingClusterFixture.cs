using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Tests.EndToEnd;
using BackupTools.Testing;
using Xunit;

namespace BackupTools.Tests.Pitr;

/// <summary>
/// A PostgreSQL 15 cluster of its own with archive_mode = on, archiving through the WAL program into a local
/// repository; what the point-in-time recovery fixtures share (physical backups, waiting for the archive, recoveries).
/// </summary>
public abstract class ArchivingClusterFixture : IAsyncLifetime
{
    public PostgresCluster Cluster { get; private set; } = null!;
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "bt-pitr-" + Guid.NewGuid().ToString("N")[..8]);
    public string RepositoryFolder => Path.Combine(Root, "repository");
    public RepositoryLocation Location => BlobStoreFactory.Parse(RepositoryFolder);
    public BackupRepository Repository { get; private set; } = null!;
    public WalArchivingOutcome Archiving { get; private set; } = null!;

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
        await PrepareAsync();
    }

    /// <summary>The fixture's own rows, backups and restore points.</summary>
    protected abstract Task PrepareAsync();

    /// <summary>A physical backup of the cluster; <paramref name="stream"/> forces pg_basebackup's stream over reading the data directory.</summary>
    public async Task<Manifest> PhysicalBackupAsync(bool stream = false)
    {
        var job = new BackupJobRequest
        {
            Database = new DatabaseBackupRequest
            {
                ConnectionString = Cluster.Uri("postgres"), PgBinDirectory = Cluster.State.BinDirectory, Method = DatabaseBackupMethod.Physical,
                StreamBaseBackup = stream,
            },
            Tags = new[] { "pitr" },
        };
        return (await BackupJob.RunAsync(new[] { Repository }, job, null, NullBackupLog.Instance)).Single().Manifest!;
    }

    /// <summary>Switches to a new WAL segment and waits until the closed one is archived.</summary>
    public async Task SwitchAndWaitForArchiveAsync()
        => await WaitForArchiveAsync((await Cluster.ScalarAsync<string>("postgres", "SELECT pg_walfile_name(pg_switch_wal())"))!);

    /// <summary>Waits until <paramref name="segment"/> is in the repository (the archiver works in order, so every earlier one is too).</summary>
    public async Task WaitForArchiveAsync(string segment)
    {
        for (var i = 0; i < 300 && !await Repository.HasWalAsync(segment); i++) await Task.Delay(100);
        Assert.True(await Repository.HasWalAsync(segment), $"WAL segment {segment} was not archived.");
    }

    /// <summary>A fresh folder under the fixture root for a recovered data directory.</summary>
    public string NewDataDirectory(string name) => Path.Combine(Root, name, "data");

    /// <summary>Invoke-PointInTimeRecovery into <paramref name="dataDirectory"/> (with <paramref name="start"/>: on <paramref name="port"/>).</summary>
    public Task<PointInTimeRecoveryOutcome> RecoverAsync(string dataDirectory, RecoveryTarget target, bool start, int? port = null, string? backupId = null) =>
        PointInTimeRecovery.RunAsync(Repository, Location, new PointInTimeRecoveryRequest
        {
            Target = target,
            DataDirectory = dataDirectory,
            WalProgram = WalProgram,
            Start = start,
            Port = port,
            BackupId = backupId,
            PgBinDirectory = Cluster.State.BinDirectory,
            StartTimeout = TimeSpan.FromMinutes(2),
        }, null, NullBackupLog.Instance);

    /// <summary>
    /// Recovers to <paramref name="target"/> on a free port, checks that the server promoted, runs <paramref name="check"/>
    /// against it and stops it.
    /// </summary>
    public async Task<PointInTimeRecoveryOutcome> RecoverAndQueryAsync(string name, RecoveryTarget target, Func<Npgsql.NpgsqlConnection, Task> check, string? backupId = null)
    {
        var port = PostgresCluster.FreeTcpPort();
        var data = NewDataDirectory(name);
        var outcome = await RecoverAsync(data, target, start: true, port, backupId);
        try
        {
            Assert.True(outcome.Success, string.Join("; ", outcome.Errors) + "\n" + (outcome.LogFile is { } log && File.Exists(log) ? File.ReadAllText(log) : ""));
            await using var conn = new Npgsql.NpgsqlConnection(Cluster.ConnectionStringForPort(port));
            await conn.OpenAsync();
            await using var recovering = new Npgsql.NpgsqlCommand("SELECT pg_is_in_recovery()", conn);
            Assert.Equal(false, await recovering.ExecuteScalarAsync());
            await check(conn);
            return outcome;
        }
        finally
        {
            await Cluster.StopServerAsync(data);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var data in Directory.Exists(Root) ? Directory.GetDirectories(Root).Select(d => Path.Combine(d, "data")) : [])
            await Cluster.StopServerAsync(data);
        await Cluster.StopAsync();
        Repository.Store.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
