using System.Diagnostics;
using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;
using BackupTools.Core.Wal;

namespace BackupTools.Core.Operations;

/// <summary>
/// New-Backup -Method Physical: pg_basebackup's tar stream (-Ft -D - -X none, fast checkpoint) goes straight into the
/// repository (no copy on local disk); the WAL that makes it consistent comes from the archive (Enable-WalArchiving),
/// and the backup waits until that WAL is there. Produces the database component (Source as <see cref="BaseBackupInfo"/>).
/// The restore side is <see cref="PointInTimeRecovery"/>.
/// </summary>
public sealed class PhysicalBackup
{
    /// <summary>The stored name of the base backup tar (the data directory of a single-tablespace cluster).</summary>
    public const string BaseTarFileName = "base.tar";
    /// <summary>How long to wait for the backup's last WAL segment to reach the archive.</summary>
    public static readonly TimeSpan WalArrivalTimeout = TimeSpan.FromMinutes(2);
    /// <summary>backup_label is the first member of the base tar; this many bytes of the stream are kept to read it.</summary>
    private const int LabelSearchBytes = 64 * 1024;

    private readonly BackupRepository _repository;
    private readonly DatabaseBackupRequest _request;
    private readonly IProgress<ProgressInfo>? _progress;
    private readonly IBackupLog _log;

    /// <summary>A physical backup of the cluster <paramref name="request"/> names into <paramref name="repository"/>.</summary>
    public PhysicalBackup(BackupRepository repository, DatabaseBackupRequest request, IProgress<ProgressInfo>? progress, IBackupLog log)
    {
        _repository = repository;
        _request = request;
        _progress = progress;
        _log = log;
    }

    /// <summary>Takes a physical backup and commits its manifest (kind "physical"; chunks first, manifest last).</summary>
    public static async Task<Manifest> RunAsync(BackupRepository repository, DatabaseBackupRequest request,
        IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct = default)
    {
        var start = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        await using var repositoryLock = await repository.LockAsync(false, "physical backup", ct).ConfigureAwait(false);
        var stats = new WriteStats();
        var component = await new PhysicalBackup(repository, request, progress, log).TakeAsync(stats, ct).ConfigureAwait(false);
        var manifest = new Manifest
        {
            Id = Manifest.NewId(start),
            Kind = BaseBackupInfo.ManifestKind,
            Tags = request.Tags.ToList(),
            StartTime = start,
            Parent = await FindParentAsync(repository, component.Source["systemIdentifier"], ct).ConfigureAwait(false),
            Components = { component },
        };
        stats.CopyTo(manifest.Stats);
        manifest.Stats.DurationSeconds = clock.Elapsed.TotalSeconds;
        manifest.EndTime = DateTimeOffset.UtcNow;
        await repository.SaveManifestAsync(manifest, ct).ConfigureAwait(false);
        log.Write(LogLevel.Information, $"Physical backup {manifest.Id}: {stats.BytesRead:N0} bytes read, {stats.BytesAdded:N0} added.");
        return manifest;
    }

    /// <summary>
    /// Streams the base backup into the repository, waits for its WAL in the archive and returns the database component.
    /// InvalidOperation when WAL archiving is off or failing (the backup could never be made consistent).
    /// </summary>
    public async Task<ComponentEntry> TakeAsync(WriteStats stats, CancellationToken ct)
    {
        var source = PgConnectionInfo.Parse(_request.ConnectionString);
        _log.Write(LogLevel.Verbose, $"Connecting to {source.Description}.");
        ClusterFacts facts;
        await using (var conn = await PgServer.ConnectAsync(source, ct).ConfigureAwait(false))
            facts = await ClusterFacts.ReadAsync(conn, ct).ConfigureAwait(false);
        CheckArchiving(facts, source);
        var tool = await PgTools.FindAsync("pg_basebackup", facts.ServerMajor, _request.PgBinDirectory, ct).ConfigureAwait(false);
        _log.Write(LogLevel.Verbose, $"Server {facts.ServerVersion}; using {tool.Path} ({tool.Version}).");

        var args = new[] { "-D", "-", "-Ft", "-X", "none", "--checkpoint=fast", "--no-manifest", "--verbose", "--no-password",
                           "--label=BackupTools " + DateTimeOffset.UtcNow.ToString("O") };
        var progress = new TransferProgress(_progress, $"Base backup of {source.Server}", "pg_basebackup", null);
        FileEntry tar;
        (Lsn Start, uint Timeline)? label;
        await using (var process = ToolProcess.Start(tool.Path, args, source.ToEnvironment()))
        {
            var output = new PrefixCaptureStream(process.StandardOutput, LabelSearchBytes);
            tar = await _repository.WriteStreamAsync(BaseTarFileName, output, stats, progress, ct).ConfigureAwait(false);
            var exitCode = await process.WaitForExitAsync(ct).ConfigureAwait(false);
            if (exitCode != 0)
                throw new BackupToolsException(BackupErrorKind.ExternalToolFailed,
                    $"pg_basebackup failed (exit code {exitCode}) for {source.Server}: {process.StderrTail}", tool.Path);
            label = BackupLabel.FromTarPrefix(output.Prefix, output.CapturedLength);
        }
        tar.Format = "tar";
        var (startLsn, timeline) = label ?? throw new BackupToolsException(BackupErrorKind.ExternalToolFailed,
            "pg_basebackup's tar does not begin with backup_label: cannot tell where the backup's WAL starts.", "backup_label");
        var (stopLsn, stopTime) = await ReadStopAsync(timeline, startLsn, facts.SegmentSize, ct).ConfigureAwait(false);
        var info = new BaseBackupInfo(source.Host, source.Port, facts.SystemIdentifier, facts.ServerVersion, timeline,
            startLsn, stopLsn, facts.SegmentSize, stopTime);
        await WaitForWalAsync(info, ct).ConfigureAwait(false);

        var description = info.ToSource();
        description["user"] = source.User;
        description["pgBaseBackupVersion"] = tool.Version;
        return new ComponentEntry { Type = "database", Name = source.Server, Source = description, Files = { tar } };
    }

    private static void CheckArchiving(ClusterFacts facts, PgConnectionInfo source)
    {
        if (facts.WalLevel == "minimal" || facts.ArchiveMode == "off")
            throw new BackupToolsException(BackupErrorKind.InvalidOperation,
                $"WAL archiving is off on {source.Server} (wal_level {facts.WalLevel}, archive_mode {facts.ArchiveMode}): a physical backup " +
                "needs it to become consistent. Run Enable-WalArchiving first (and restart the server if it says so).", source.Server);
        if (facts.Archiver.IsFailing)
            throw new BackupToolsException(BackupErrorKind.InvalidOperation,
                $"WAL archiving on {source.Server} is failing (last failure: {facts.Archiver.LastFailedWal} at {facts.Archiver.LastFailedTime:O}); " +
                "fix it first (see the server log and Get-WalArchiveStatus).", source.Server);
    }

    /// <summary>
    /// STOP WAL LOCATION and STOP TIME from the backup history file the server archives at the end of the backup
    /// (waiting for it to arrive). InvalidOperation when it does not.
    /// </summary>
    private async Task<(Lsn Stop, DateTimeOffset StopTime)> ReadStopAsync(uint timeline, Lsn start, long segmentSize, CancellationToken ct)
    {
        var name = BackupLabel.HistoryFileName(timeline, start, segmentSize);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var content = await _repository.FetchWalAsync(name, ct).ConfigureAwait(false);
            if (content is not null && BackupLabel.ParseHistory(System.Text.Encoding.UTF8.GetString(content)) is { } stop)
                return (stop.Stop, stop.StopTime ?? DateTimeOffset.UtcNow);
            if (clock.Elapsed > WalArrivalTimeout)
                throw new BackupToolsException(BackupErrorKind.InvalidOperation,
                    $"The backup history file {name} did not reach repository {_repository.Location} within {WalArrivalTimeout.TotalSeconds:0} s: " +
                    "is the server archiving into this repository (Enable-WalArchiving)?", name);
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until every segment from walStart to walStop is in the archive (the server archives them on its own).</summary>
    private async Task WaitForWalAsync(BaseBackupInfo info, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var archived = (await _repository.ListWalAsync(ct).ConfigureAwait(false)).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
            var missing = info.SegmentsThrough(info.WalStop).Select(s => s.Name(info.SegmentSize)).FirstOrDefault(n => !archived.Contains(n));
            if (missing is null) return;
            if (deadline.Elapsed > WalArrivalTimeout)
                throw new BackupToolsException(BackupErrorKind.InvalidOperation,
                    $"WAL segment {missing}, which the base backup needs, did not reach repository {_repository.Location} within " +
                    $"{WalArrivalTimeout.TotalSeconds:0} s: is the server archiving into this repository (Enable-WalArchiving)?", missing);
            _log.Write(LogLevel.Verbose, $"Waiting for WAL segment {missing} to be archived.");
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
        }
    }

    /// <summary>The newest earlier physical backup of the same cluster (system identifier).</summary>
    private static async Task<string?> FindParentAsync(BackupRepository repository, string systemIdentifier, CancellationToken ct)
    {
        var manifests = await repository.ListManifestsAsync(ct).ConfigureAwait(false);
        return manifests.LastOrDefault(m => m.Kind == BaseBackupInfo.ManifestKind
            && m.Components.Any(c => c.Source.GetValueOrDefault("systemIdentifier") == systemIdentifier))?.Id;
    }
}
