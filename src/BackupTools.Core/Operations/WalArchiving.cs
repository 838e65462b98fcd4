using System.Diagnostics;
using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Core.Wal;
using Npgsql;

namespace BackupTools.Core.Operations;

/// <summary>What Enable-WalArchiving asks for.</summary>
public sealed class WalArchivingRequest
{
    /// <summary>The cluster (a superuser login; the server runs on this machine).</summary>
    public required string ConnectionString { get; init; }
    /// <summary>The WAL program archive_command calls (module/bin/backuptools-wal).</summary>
    public required string WalProgram { get; init; }
    /// <summary>Where to write the WAL archive config; default backuptools-wal.json beside the data directory.</summary>
    public string? ConfigPath { get; init; }
    /// <summary>How long to wait for the forced WAL switch to reach the repository.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>What Enable-WalArchiving did.</summary>
public sealed class WalArchivingOutcome
{
    /// <summary>host:port.</summary>
    public string Server { get; set; } = "";
    /// <summary>The WAL archive config written (mode 0600, owned by the server's OS user).</summary>
    public string ConfigPath { get; set; } = "";
    /// <summary>The archive_command set.</summary>
    public string ArchiveCommand { get; set; } = "";
    /// <summary>True when archive_mode or wal_level changed and the server must be restarted before archiving starts.</summary>
    public bool RestartRequired { get; set; }
    /// <summary>The segment the forced WAL switch closed, seen in the repository (null when not verified).</summary>
    public string? VerifiedSegment { get; set; }
}

/// <summary>Enable-WalArchiving: points a cluster's archive_command at the WAL program and proves a segment arrives.</summary>
public static class WalArchiving
{
    /// <summary>
    /// Writes the config, sets archive_command (and archive_mode / wal_level when needed) with ALTER SYSTEM, reloads, and —
    /// unless a restart is needed — forces a WAL switch and waits until that segment is in the repository.
    /// InvalidOperation when the server is not on this machine or the segment does not arrive.
    /// </summary>
    public static async Task<WalArchivingOutcome> EnableAsync(BackupRepository repository, RepositoryLocation location,
        WalArchivingRequest request, IBackupLog log, CancellationToken ct = default)
    {
        var source = PgConnectionInfo.Parse(request.ConnectionString);
        ArchiveCommand.EnsureRunnable(request.WalProgram);
        await using var conn = await PgServer.ConnectAsync(source, ct).ConfigureAwait(false);
        var facts = await ClusterFacts.ReadAsync(conn, ct).ConfigureAwait(false);
        if (!Directory.Exists(facts.DataDirectory))
            throw new BackupToolsException(BackupErrorKind.InvalidOperation,
                $"The data directory of {source.Server} ({facts.DataDirectory}) is not on this machine: run Enable-WalArchiving on the database server, " +
                "where PostgreSQL runs the WAL program.", facts.DataDirectory);

        var configPath = Path.GetFullPath(request.ConfigPath ?? Path.Combine(Path.GetDirectoryName(facts.DataDirectory.TrimEnd('/'))!, WalArchiveConfig.FileName));
        repository.CreateWalArchiveConfig(location).Save(configPath);
        await LocalServer.GiveOwnerOfAsync(configPath, facts.DataDirectory, ct).ConfigureAwait(false);
        if (location.LocalPath is { } folder)
        {
            // The server's OS user writes wal/ of a local repository.
            var walFolder = Directory.CreateDirectory(Path.Combine(folder, "wal")).FullName;
            await LocalServer.GiveOwnerOfAsync(walFolder, facts.DataDirectory, ct).ConfigureAwait(false);
        }

        var command = ArchiveCommand.Push(request.WalProgram, configPath);
        var outcome = new WalArchivingOutcome { Server = source.Server, ConfigPath = configPath, ArchiveCommand = command };
        await PgServer.ExecuteAsync(conn, $"ALTER SYSTEM SET archive_command = {ArchiveCommand.SqlLiteral(command)}", ct).ConfigureAwait(false);
        if (facts.WalLevel == "minimal") await PgServer.ExecuteAsync(conn, "ALTER SYSTEM SET wal_level = 'replica'", ct).ConfigureAwait(false);
        if (facts.ArchiveMode == "off") await PgServer.ExecuteAsync(conn, "ALTER SYSTEM SET archive_mode = 'on'", ct).ConfigureAwait(false);
        await PgServer.ExecuteAsync(conn, "SELECT pg_reload_conf()", ct).ConfigureAwait(false);
        outcome.RestartRequired = facts.WalLevel == "minimal" || facts.ArchiveMode == "off";
        if (outcome.RestartRequired)
        {
            log.Write(LogLevel.Warning,
                $"archive_mode/wal_level changed on {source.Server}: restart the server (e.g. pg_ctl restart or systemctl restart postgresql) " +
                "for archiving to start, then run Enable-WalArchiving again to verify it.");
            return outcome;
        }
        await WaitForSettingAsync(conn, command, ct).ConfigureAwait(false);
        outcome.VerifiedSegment = await VerifyAsync(conn, repository, request.Timeout, log, ct).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>pg_reload_conf() signals the server; the new archive_command is in force a moment later.</summary>
    private static async Task WaitForSettingAsync(NpgsqlConnection conn, string command, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (await PgServer.ScalarAsync<string>(conn, "SELECT setting FROM pg_settings WHERE name = 'archive_command'", ct).ConfigureAwait(false) != command
               && clock.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(100, ct).ConfigureAwait(false);
    }

    /// <summary>Forces a WAL switch and waits for the closed segment in the repository; InvalidOperation (with the archiver's last failure) when it does not arrive.</summary>
    private static async Task<string> VerifyAsync(NpgsqlConnection conn, BackupRepository repository, TimeSpan timeout, IBackupLog log, CancellationToken ct)
    {
        var segment = await PgServer.ScalarAsync<string>(conn, "SELECT pg_walfile_name(pg_switch_wal())", ct).ConfigureAwait(false);
        log.Write(LogLevel.Verbose, $"Switched WAL; waiting for {segment} in {repository.Location}.");
        var clock = Stopwatch.StartNew();
        while (!await repository.HasWalAsync(segment, ct).ConfigureAwait(false))
        {
            if (clock.Elapsed > timeout)
            {
                var facts = await ClusterFacts.ReadAsync(conn, ct).ConfigureAwait(false);
                var failure = facts.Archiver.IsFailing ? $" The archiver's last failure: {facts.Archiver.LastFailedWal} at {facts.Archiver.LastFailedTime:O} (see the server log)." : "";
                throw new BackupToolsException(BackupErrorKind.InvalidOperation,
                    $"WAL segment {segment} did not reach {repository.Location} within {timeout.TotalSeconds:0} s.{failure}", segment);
            }
            await Task.Delay(200, ct).ConfigureAwait(false);
        }
        return segment;
    }
}
