using System.Diagnostics;
using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;
using BackupTools.Core.Wal;

namespace BackupTools.Core.Operations;

/// <summary>
/// New-Backup -Method Physical. When the server's data directory is readable on this machine (and is the connected
/// cluster's), the files are read directly in parallel parts (<see cref="DirectBaseBackup"/>); otherwise pg_basebackup's
/// tar stream (-Ft -D - -X none, fast checkpoint) goes straight into the repository. Either way nothing is copied to
/// local disk, the WAL that makes the backup consistent comes from the archive (Enable-WalArchiving), and the backup
/// waits until that WAL is there. Adds the database component (Source as <see cref="BaseBackupInfo"/>).
/// The restore side is <see cref="PointInTimeRecovery"/>.
/// </summary>
public static class PhysicalBackup
{
    /// <summary>The stored name of pg_basebackup's base tar (the data directory of a single-tablespace cluster).</summary>
    public const string BaseTarFileName = "base.tar";
    /// <summary>The labelfile of a direct base backup, restored as the data directory's backup_label.</summary>
    public const string BackupLabelFileName = "backup_label";
    /// <summary>The tablespace map of a direct base backup (only when the cluster has tablespaces).</summary>
    public const string TablespaceMapFileName = "tablespace_map";

    /// <summary>The stored name of part <paramref name="number"/> (from 1) of a direct base backup: "base.1.tar".</summary>
    public static string TarPartName(int number) => $"base.{number.ToString(System.Globalization.CultureInfo.InvariantCulture)}.tar";

    /// <summary>
    /// The tars of a stored base backup, in order: pg_basebackup's single base.tar, or a direct backup's base.N.tar parts
    /// (which extract independently). Empty when the files hold neither.
    /// </summary>
    public static IReadOnlyList<FileEntry> TarFiles(IEnumerable<FileEntry> files)
        => files.Select(f => (File: f, Number: TarNumber(f.Name))).Where(p => p.Number >= 0).OrderBy(p => p.Number).Select(p => p.File).ToList();

    /// <summary>0 for base.tar, N for base.N.tar, -1 for anything else.</summary>
    private static int TarNumber(string name)
    {
        if (name == BaseTarFileName) return 0;
        return name.StartsWith("base.", StringComparison.Ordinal) && name.EndsWith(".tar", StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(5, name.Length - 9), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0
            ? n : -1;
    }
    /// <summary>How long to wait for the backup's WAL to reach the archive.</summary>
    public static readonly TimeSpan WalArrivalTimeout = TimeSpan.FromMinutes(2);
    /// <summary>backup_label is the first member of the base tar; this many bytes of the stream are kept to read it.</summary>
    private const int LabelSearchBytes = 64 * 1024;

    /// <summary>
    /// Streams the base backup into the session's repository, waits for its WAL in the archive and adds the database
    /// component. InvalidArgument with more than one repository (the WAL lives in the one the server archives into);
    /// InvalidOperation when WAL archiving is off or failing (the backup could never be made consistent).
    /// </summary>
    public static async Task WriteComponentAsync(BackupSession session, DatabaseBackupRequest request,
        IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct = default)
    {
        var destinations = session.Live.ToList();
        if (destinations.Count != 1)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                "A physical backup goes into one repository: the one the server archives its WAL into (copy it elsewhere afterwards).", "Repository");
        var repository = destinations[0].Repository;
        var source = PgConnectionInfo.Parse(request.ConnectionString);
        log.Write(LogLevel.Verbose, $"Connecting to {source.Description}.");
        await using var conn = await PgServer.ConnectAsync(source, ct).ConfigureAwait(false);
        var facts = await ClusterFacts.ReadAsync(conn, ct).ConfigureAwait(false);
        CheckArchiving(facts, source);
        var component = session.AddComponent("database", source.Server, new Dictionary<string, string>());
        var reader = request.StreamBaseBackup ? null : await DirectBaseBackup.TryOpenAsync(conn, facts, log, ct).ConfigureAwait(false);
        (Lsn Start, uint Timeline) label;
        if (reader is not null)
        {
            label = await DirectBaseBackup.RunAsync(component, conn, facts.ServerMajor, reader, progress, log, ct).ConfigureAwait(false);
            component.Template.Source["baseBackupMethod"] = "direct";
        }
        else
        {
            var tool = await PgTools.FindAsync("pg_basebackup", facts.ServerMajor, request.PgBinDirectory, ct).ConfigureAwait(false);
            log.Write(LogLevel.Verbose, $"Server {facts.ServerVersion}; using {tool.Path} ({tool.Version}).");
            label = await StreamBaseBackupAsync(component, tool, source, progress, ct).ConfigureAwait(false);
            component.Template.Source["baseBackupMethod"] = "pg_basebackup";
            component.Template.Source["pgBaseBackupVersion"] = tool.Version;
        }
        var (startLsn, timeline) = label;
        var (stopLsn, stopTime) = await ReadStopAsync(repository, timeline, startLsn, facts.SegmentSize, ct).ConfigureAwait(false);
        var info = new BaseBackupInfo(source.Host, source.Port, facts.SystemIdentifier, facts.ServerVersion, timeline,
            startLsn, stopLsn, facts.SegmentSize, stopTime);
        await WaitForWalAsync(repository, info, log, ct).ConfigureAwait(false);

        foreach (var (key, value) in info.ToSource()) component.Template.Source[key] = value;
        component.Template.Source["user"] = source.User;
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

    /// <summary>Runs pg_basebackup into the component; returns START WAL LOCATION and START TIMELINE from the tar's backup_label.</summary>
    private static async Task<(Lsn Start, uint Timeline)> StreamBaseBackupAsync(ComponentWriter component, PgTool tool, PgConnectionInfo source,
        IProgress<ProgressInfo>? progress, CancellationToken ct)
    {
        var args = new[] { "-D", "-", "-Ft", "-X", "none", "--checkpoint=fast", "--no-manifest", "--no-password",
                           "--label=BackupTools " + DateTimeOffset.UtcNow.ToString("O") };
        var transfer = new TransferProgress(progress, $"Base backup of {source.Server}", "pg_basebackup", null);
        await using var process = ToolProcess.Start(tool.Path, args, source.ToEnvironment());
        var output = new PrefixCaptureStream(process.StandardOutput, LabelSearchBytes);
        var files = await component.StoreAsync(BaseTarFileName, output, transfer, ct, StreamWriteOptions.DatabaseStream).ConfigureAwait(false);
        var exitCode = await process.WaitForExitAsync(ct).ConfigureAwait(false);
        if (exitCode != 0)
            throw new BackupToolsException(BackupErrorKind.ExternalToolFailed,
                $"pg_basebackup failed (exit code {exitCode}) for {source.Server}: {process.StderrTail}", tool.Path);
        component.Add(files, f => f.Format = "tar");
        return BackupLabel.FromTarPrefix(output.Prefix, output.CapturedLength)
            ?? throw new BackupToolsException(BackupErrorKind.ExternalToolFailed,
                "pg_basebackup's tar does not begin with backup_label: cannot tell where the backup's WAL starts.", "backup_label");
    }

    /// <summary>
    /// STOP WAL LOCATION and STOP TIME from the backup history file the server archives at the end of the backup
    /// (waiting for it to arrive). InvalidOperation when it does not.
    /// </summary>
    private static async Task<(Lsn Stop, DateTimeOffset StopTime)> ReadStopAsync(BackupRepository repository, uint timeline, Lsn start,
        long segmentSize, CancellationToken ct)
    {
        var name = BackupLabel.HistoryFileName(timeline, start, segmentSize);
        var clock = Stopwatch.StartNew();
        var poll = FirstPoll;
        while (true)
        {
            var content = await repository.FetchWalAsync(name, ct).ConfigureAwait(false);
            if (content is not null && BackupLabel.ParseHistory(System.Text.Encoding.UTF8.GetString(content)) is { } stop)
                return (stop.Stop, stop.StopTime ?? DateTimeOffset.UtcNow);
            if (clock.Elapsed > WalArrivalTimeout)
                throw NotArchived(repository, "The backup history file " + name, name);
            await Task.Delay(NextPoll(ref poll), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until every segment from walStart to walStop is in the archive (the server archives them on its own).</summary>
    private static async Task WaitForWalAsync(BackupRepository repository, BaseBackupInfo info, IBackupLog log, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var poll = FirstPoll;
        while (true)
        {
            var archived = (await repository.ListWalAsync(ct).ConfigureAwait(false)).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
            var missing = info.SegmentsThrough(info.WalStop).Select(s => s.Name(info.SegmentSize)).FirstOrDefault(n => !archived.Contains(n));
            if (missing is null) return;
            if (clock.Elapsed > WalArrivalTimeout) throw NotArchived(repository, "WAL segment " + missing + ", which the base backup needs,", missing);
            log.Write(LogLevel.Verbose, $"Waiting for WAL segment {missing} to be archived.");
            await Task.Delay(NextPoll(ref poll), ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The first wait between two looks at the archive. The server usually archives the backup's last segment and
    /// history file within tens of milliseconds of pg_backup_stop, so the waits start short and double up to
    /// <see cref="LongestPoll"/>: a slow archive (or an S3 repository, where every look is a request) is not hammered.
    /// </summary>
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(250);

    /// <summary>Returns the wait to make now and doubles the next one, up to <see cref="LongestPoll"/>.</summary>
    private static TimeSpan NextPoll(ref TimeSpan poll)
    {
        var now = poll;
        poll = poll * 2 < LongestPoll ? poll * 2 : LongestPoll;
        return now;
    }

    private static BackupToolsException NotArchived(BackupRepository repository, string what, string name)
        => new(BackupErrorKind.InvalidOperation,
            $"{what} did not reach repository {repository.Location} within {WalArrivalTimeout.TotalSeconds:0} s: " +
            "is the server archiving into this repository (Enable-WalArchiving)?", name);
}
