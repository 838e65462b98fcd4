using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Pipes;
using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Core.Wal;

namespace BackupTools.Core.Operations;

/// <summary>What Invoke-PointInTimeRecovery asks for.</summary>
public sealed class PointInTimeRecoveryRequest
{
    /// <summary>The point to recover to.</summary>
    public required RecoveryTarget Target { get; init; }
    /// <summary>The data directory to create (must be missing or empty unless <see cref="Force"/>).</summary>
    public required string DataDirectory { get; init; }
    /// <summary>The WAL program restore_command calls (module/bin/backuptools-wal).</summary>
    public required string WalProgram { get; init; }
    /// <summary>Use this physical backup instead of the newest one before the target.</summary>
    public string? BackupId { get; init; }
    /// <summary>Empty a non-empty data directory first.</summary>
    public bool Force { get; init; }
    /// <summary>Start the server, wait for promotion and report the point reached.</summary>
    public bool Start { get; init; }
    /// <summary>The port the recovered server listens on (default: the one in the backup's configuration).</summary>
    public int? Port { get; init; }
    /// <summary>The OS user that owns and runs the recovered server (default: postgres when root, else the current user).</summary>
    public string? ServerUser { get; init; }
    /// <summary>Folder with pg_ctl to prefer.</summary>
    public string? PgBinDirectory { get; init; }
    /// <summary>How long to wait for the server to reach the target and promote.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Lines appended to postgresql.auto.conf after the recovery settings (later lines win), e.g. a drill's archive_mode = off.</summary>
    public IReadOnlyList<string> ServerSettings { get; init; } = Array.Empty<string>();
}

/// <summary>The result of a point-in-time recovery.</summary>
public sealed class PointInTimeRecoveryOutcome
{
    /// <summary>The base backup restored.</summary>
    public string BackupId { get; set; } = "";
    /// <summary>True when the data directory was restored and, with Start, the server reached its target and promoted.</summary>
    public bool Success { get; set; }
    /// <summary>The data directory written.</summary>
    public string DataDirectory { get; set; } = "";
    /// <summary>The target asked for.</summary>
    public string Target { get; set; } = "";
    /// <summary>The WAL segments checked to be archived before anything was written.</summary>
    public long SegmentsChecked { get; set; }
    /// <summary>Plaintext bytes of the base backup restored.</summary>
    public long BytesRestored { get; set; }
    /// <summary>Where recovery stopped, as the server said (with Start).</summary>
    public string? StopMessage { get; set; }
    /// <summary>The commit time of the last transaction replayed (with Start).</summary>
    public DateTimeOffset? ReachedTime { get; set; }
    /// <summary>The end of replayed WAL (with Start).</summary>
    public string? ReachedLsn { get; set; }
    /// <summary>The timeline the promoted server writes (with Start).</summary>
    public uint? Timeline { get; set; }
    /// <summary>The server log of the recovery (with Start).</summary>
    public string? LogFile { get; set; }
    /// <summary>How long it took.</summary>
    public TimeSpan Duration { get; set; }
    /// <summary>What failed.</summary>
    public List<string> Errors { get; } = new();
}

/// <summary>
/// Invoke-PointInTimeRecovery: chooses the base backup, proves the WAL is archived (before touching the disk), restores
/// the data directory from the tar stream, writes recovery.signal and the recovery settings, and with Start runs the
/// server until it reaches the target and promotes.
/// </summary>
public static class PointInTimeRecovery
{
    private const string AutoConf = "postgresql.auto.conf";
    private const string LogFileName = "backuptools-recovery.log";

    /// <summary>Runs the recovery. Errors before the restore (no backup, gap, outside the window, non-empty folder) write nothing.</summary>
    public static async Task<PointInTimeRecoveryOutcome> RunAsync(BackupRepository repository, RepositoryLocation location,
        PointInTimeRecoveryRequest request, IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var dataDirectory = Path.GetFullPath(request.DataDirectory);
        CheckDataDirectory(dataDirectory, request.Force);
        ArchiveCommand.EnsureRunnable(request.WalProgram);
        var plan = RecoveryPlanner.Plan(await repository.ListManifestsAsync(ct).ConfigureAwait(false),
            await repository.ListWalAsync(ct).ConfigureAwait(false), request.Target, request.BackupId, location.Uri);
        var segmentSize = plan.Info.SegmentSize;
        log.Write(LogLevel.Information, $"Recovering to {plan.Target} from backup {plan.Backup.Id}; " +
            $"WAL {plan.Info.WalStart.Name(segmentSize)} to {plan.LastSegment.Name(segmentSize)} is archived.");
        var walConfigPath = WalConfigPathFor(dataDirectory, repository);
        var user = LocalServer.ServerUser(request.ServerUser);

        var files = plan.Backup.Components.SelectMany(c => c.Files).ToList();
        var tars = PhysicalBackup.TarFiles(files);
        if (tars.Count == 0)
            throw new BackupToolsException(BackupErrorKind.Corrupt, $"Backup {plan.Backup.Id} has no {PhysicalBackup.BaseTarFileName} (or base.N.tar parts).", plan.Backup.Id);
        var labels = files.Where(f => f.Name is PhysicalBackup.BackupLabelFileName or PhysicalBackup.TablespaceMapFileName).ToList();
        PrepareDirectory(dataDirectory);
        await ExtractAllAsync(repository, tars, dataDirectory, progress, ct).ConfigureAwait(false);
        foreach (var label in labels) await RestoreFileAsync(repository, label, dataDirectory, ct).ConfigureAwait(false);
        await WriteRecoverySettingsAsync(dataDirectory, plan, request, walConfigPath, ct).ConfigureAwait(false);
        await LocalServer.GiveToUserAsync(dataDirectory, user, ct).ConfigureAwait(false);
        if (!File.Exists(walConfigPath))
        {
            repository.CreateWalArchiveConfig(location).Save(walConfigPath);
            await LocalServer.GiveToUserAsync(walConfigPath, user, ct).ConfigureAwait(false);
        }

        var outcome = new PointInTimeRecoveryOutcome
        {
            BackupId = plan.Backup.Id,
            DataDirectory = dataDirectory,
            Target = plan.Target.ToString(),
            SegmentsChecked = plan.SegmentCount,
            BytesRestored = tars.Concat(labels).Sum(f => f.Size),
            Success = true,
        };
        if (request.Start) await StartAndWaitAsync(plan, request, user, outcome, log, ct).ConfigureAwait(false);
        outcome.Duration = clock.Elapsed;
        return outcome;
    }

    /// <summary>
    /// The restore_command's config: backuptools-wal.json beside the data directory. One already there for this
    /// repository (e.g. the source cluster's, when recovering beside it) is used as it is; one for another repository is refused.
    /// </summary>
    private static string WalConfigPathFor(string dataDirectory, BackupRepository repository)
    {
        var path = Path.Combine(Path.GetDirectoryName(dataDirectory)!, WalArchiveConfig.FileName);
        if (File.Exists(path) && WalArchiveConfig.Load(path).RepositoryId != repository.Id)
            throw new BackupToolsException(BackupErrorKind.InvalidOperation,
                $"{path} belongs to another repository's WAL archive; recover into a data directory in another folder.", path);
        return path;
    }

    private static void CheckDataDirectory(string dataDirectory, bool force)
    {
        if (File.Exists(dataDirectory))
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"{dataDirectory} is a file, not a data directory.", dataDirectory);
        if (!Directory.Exists(dataDirectory) || !Directory.EnumerateFileSystemEntries(dataDirectory).Any()) return;
        if (File.Exists(Path.Combine(dataDirectory, "postmaster.pid")))
            throw new BackupToolsException(BackupErrorKind.InvalidOperation,
                $"A server may be running in {dataDirectory} (postmaster.pid exists): stop it first.", dataDirectory);
        if (!force)
            throw new BackupToolsException(BackupErrorKind.InvalidOperation,
                $"The data directory {dataDirectory} is not empty: choose an empty folder, or pass -Force to replace its contents.", dataDirectory);
    }

    /// <summary>Empties (when -Force) or creates the data directory, mode 0700 as PostgreSQL requires.</summary>
    private static void PrepareDirectory(string dataDirectory)
    {
        if (Directory.Exists(dataDirectory))
        {
            foreach (var dir in Directory.EnumerateDirectories(dataDirectory)) Directory.Delete(dir, recursive: true);
            foreach (var file in Directory.EnumerateFiles(dataDirectory)) File.Delete(file);
        }
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(dataDirectory);
        else Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>
    /// Extracts every tar of the base backup into the data directory, the parts of a direct backup in parallel (they
    /// hold disjoint files); the first failure stops the others and is the one thrown.
    /// </summary>
    private static async Task ExtractAllAsync(BackupRepository repository, IReadOnlyList<FileEntry> tars, string dataDirectory,
        IProgress<ProgressInfo>? progress, CancellationToken ct)
    {
        var counter = new SummedProgress(new TransferProgress(progress, $"Restoring data directory {dataDirectory}", "base backup", tars.Sum(t => t.Size)), tars.Count);
        await ParallelTasks.RunAllAsync(tars.Select((tar, i) => (Func<CancellationToken, Task<bool>>)(async token =>
        {
            await ExtractAsync(repository, tar, dataDirectory, counter.For(i), token).ConfigureAwait(false);
            return true;
        })), ct).ConfigureAwait(false);
    }

    /// <summary>Writes a stored file (backup_label, tablespace_map) into the data directory under its name.</summary>
    private static async Task RestoreFileAsync(BackupRepository repository, FileEntry file, string dataDirectory, CancellationToken ct)
    {
        await using var output = new FileStream(Path.Combine(dataDirectory, file.Name), FileMode.CreateNew, FileAccess.Write);
        await repository.ReadFileAsync(file, output, null, ct).ConfigureAwait(false);
    }

    /// <summary>Streams one stored tar through a pipe into the extractor: no copy of the tar on disk.</summary>
    private static async Task ExtractAsync(BackupRepository repository, FileEntry tar, string dataDirectory, IProgress<long> transfer, CancellationToken ct)
    {
        using var writer = new AnonymousPipeServerStream(PipeDirection.Out);
        using var reader = new AnonymousPipeClientStream(PipeDirection.In, writer.ClientSafePipeHandle);
        var read = Task.Run(async () =>
        {
            try { await repository.ReadFileAsync(tar, writer, transfer, ct).ConfigureAwait(false); }
            finally { writer.Dispose(); }
        }, ct);
        try
        {
            await TarFile.ExtractToDirectoryAsync(reader, dataDirectory, overwriteFiles: false, ct).ConfigureAwait(false);
        }
        catch
        {
            reader.Dispose();
            try { await read.ConfigureAwait(false); } catch (Exception e) when (e is IOException or OperationCanceledException) { /* the extractor's failure is the cause */ }
            throw;
        }
        await read.ConfigureAwait(false);
    }

    /// <summary>recovery.signal, and restore_command + recovery_target_* + promote appended to postgresql.auto.conf (later lines win).</summary>
    private static async Task WriteRecoverySettingsAsync(string dataDirectory, RecoveryPlan plan, PointInTimeRecoveryRequest request,
        string walConfigPath, CancellationToken ct)
    {
        var lines = new List<string>
        {
            "",
            $"# Point-in-time recovery by BackupTools {DateTimeOffset.UtcNow:O}: backup {plan.Backup.Id} to {plan.Target}",
            $"restore_command = {ArchiveCommand.ConfigValue(ArchiveCommand.Fetch(request.WalProgram, walConfigPath))}",
            "recovery_target_action = 'promote'",
            "recovery_target_timeline = 'current'",
        };
        if (plan.Target.ToSetting() is var (setting, value)) lines.Add($"{setting} = {ArchiveCommand.ConfigValue(value)}");
        if (request.Port is { } port) lines.Add($"port = {port.ToString(CultureInfo.InvariantCulture)}");
        lines.AddRange(request.ServerSettings);
        await File.AppendAllLinesAsync(Path.Combine(dataDirectory, AutoConf), lines, ct).ConfigureAwait(false);
        await File.WriteAllBytesAsync(Path.Combine(dataDirectory, "recovery.signal"), Array.Empty<byte>(), ct).ConfigureAwait(false);
    }

    /// <summary>pg_ctl start as the server's OS user, then waits for promotion (or a fatal end) and reads the point reached from the log.</summary>
    private static async Task StartAndWaitAsync(RecoveryPlan plan, PointInTimeRecoveryRequest request, string user,
        PointInTimeRecoveryOutcome outcome, IBackupLog log, CancellationToken ct)
    {
        var major = PgTools.MajorOf(plan.Info.ServerVersion);
        var pgCtl = await PgTools.FindAsync("pg_ctl", major, request.PgBinDirectory, ct).ConfigureAwait(false);
        if (pgCtl.MajorVersion != major)
            throw new BackupToolsException(BackupErrorKind.NotFound,
                $"The backup is of PostgreSQL {plan.Info.ServerVersion}; the server binaries of major version {major} are needed (found {pgCtl.Path}, {pgCtl.Version}).", "pg_ctl");
        var logFile = Path.Combine(outcome.DataDirectory, LogFileName);
        outcome.LogFile = logFile;
        log.Write(LogLevel.Verbose, $"Starting the server in {outcome.DataDirectory} as {user}; log {logFile}.");
        var (code, output) = await LocalServer.RunAsUserAsync(user, pgCtl.Path,
            new[] { "start", "-w", "-t", ((int)request.StartTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
                    "-D", outcome.DataDirectory, "-l", logFile, "-o", "-c lc_messages=C" }, ct).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var report = RecoveryLogReport.Parse(ReadLog(logFile));
        while (code == 0 && !report.Promoted && report.Fatal.Count == 0 && clock.Elapsed < request.StartTimeout)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
            report = RecoveryLogReport.Parse(ReadLog(logFile));
        }
        outcome.StopMessage = report.StopMessage ?? (plan.Target.Kind == RecoveryTargetKind.Latest && report.Promoted ? "replayed to the end of the archived WAL" : null);
        outcome.ReachedTime = report.LastTransactionTime;
        outcome.ReachedLsn = report.RedoDoneAt?.ToString();
        outcome.Timeline = report.NewTimeline;
        if (report.Promoted && report.Fatal.Count == 0) return;
        outcome.Success = false;
        outcome.Errors.AddRange(report.Fatal);
        if (code != 0 && report.Fatal.Count == 0) outcome.Errors.Add($"pg_ctl start failed (exit code {code}): {output}");
        if (outcome.Errors.Count == 0) outcome.Errors.Add($"The server did not promote within {request.StartTimeout.TotalSeconds:0} s; see {logFile}.");
    }

    private static string ReadLog(string logFile)
    {
        try
        {
            using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return "";
        }
    }
}
