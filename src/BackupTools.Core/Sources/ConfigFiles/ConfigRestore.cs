using System.Diagnostics;
using BackupTools.Core.Operations;
using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;

namespace BackupTools.Core.Sources.ConfigFiles;

/// <summary>
/// Restore-Backup -Component Config: writes the configuration entries of a backup under one destination folder and
/// nowhere else. Three phases: (1) <see cref="RestorePlan"/> checks every entry before anything is written (unsafe
/// names, links pointing out, folders at the destination that are links, existing files without Force); (2) folders
/// are created and every file is read back (each chunk authenticated, the file hash checked) into a private temporary
/// file next to its place, with its mode and time; a failure removes those files and the folders it created;
/// (3) the temporary files are renamed into place, links are created, and folders get their mode and time.
/// Ownership is not restored: what is written belongs to the user running the restore.
/// </summary>
public static class ConfigRestore
{
    /// <summary>Restores the "config" component of <paramref name="manifest"/>.</summary>
    public static async Task<ConfigRestoreOutcome> RunAsync(BackupRepository repository, Manifest manifest, ConfigRestoreRequest request,
        IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var component = manifest.Components.FirstOrDefault(c => c.Type == ConfigBackup.ComponentType)
            ?? throw new BackupToolsException(BackupErrorKind.NotFound, $"Backup {manifest.Id} has no configuration component.", manifest.Id);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(request.Destination));
        if (File.Exists(root))
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"The configuration destination '{root}' is a file, not a folder.", root);
        var steps = RestorePlan.Build(root, Select(component.Files, request.Paths), request.Force);
        var outcome = new ConfigRestoreOutcome { Destination = root };
        if (request.TakeRestorePoint) outcome.RestorePointId = await TakeRestorePointAsync(repository, root, steps, log, ct).ConfigureAwait(false);
        try
        {
            await WriteAsync(repository, manifest, root, steps, request.Force, outcome, progress, log, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackupToolsException(e is UnauthorizedAccessException ? BackupErrorKind.PermissionDenied : BackupErrorKind.InvalidOperation,
                $"Writing the configuration under '{root}' failed: {e.Message}", root, e);
        }
        outcome.Duration = clock.Elapsed;
        log.Write(LogLevel.Verbose, $"Configuration restored into {root}: {outcome.Files} files, {outcome.Directories} folders, {outcome.Symlinks} links.");
        return outcome;
    }

    /// <summary>Phases 2 and 3: stage every file (rolled back on failure), then rename, link and set folder metadata.</summary>
    private static async Task WriteAsync(BackupRepository repository, Manifest manifest, string root, IReadOnlyList<PlannedEntry> steps, bool force,
        ConfigRestoreOutcome outcome, IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct)
    {
        var staged = new Staging();
        try
        {
            staged.CreateDirectory(root);
            CreateDirectories(root, steps, staged);
            var transfer = new TransferProgress(progress, $"Restoring configuration of backup {manifest.Id}", root, steps.Sum(s => s.Entry.Size));
            foreach (var step in steps.Where(s => s.Fs.IsFile))
            {
                await StageFileAsync(repository, root, step, staged, ct).ConfigureAwait(false);
                outcome.BytesRestored += step.Entry.Size;
                transfer.Report(outcome.BytesRestored);
            }
        }
        catch
        {
            staged.RollBack(log);
            throw;
        }
        staged.Commit();
        outcome.Files = staged.FileCount;
        outcome.Symlinks = CreateLinks(root, steps);
        outcome.Directories = ApplyDirectoryMetadata(steps, force);
    }

    /// <summary>
    /// Backs up every destination root (a folder or file named like a root of the backup) that holds something about to
    /// be replaced, tagged restore-point; its roots keep their names, so it restores to the same destination. Null when
    /// nothing is replaced.
    /// </summary>
    private static async Task<string?> TakeRestorePointAsync(BackupRepository repository, string root, IReadOnlyList<PlannedEntry> steps,
        IBackupLog log, CancellationToken ct)
    {
        var touched = steps.Where(s => s.Action == PlannedAction.Replace)
            .Select(s => Path.Combine(root, s.Entry.Name.Split('/')[0])).Distinct(StringComparer.Ordinal).ToList();
        if (touched.Count == 0) return null;
        var job = new BackupJobRequest { ConfigPaths = touched, Tags = new[] { LogicalRestore.RestorePointTag } };
        var outcomes = await BackupJob.RunAsync(new[] { repository }, job, null, log, ct).ConfigureAwait(false);
        var id = outcomes[0].Manifest!.Id;
        log.Write(LogLevel.Information, $"Restore point {id} holds {string.Join(", ", touched)} as they were before the restore.");
        return id;
    }

    /// <summary>The entries named by <paramref name="paths"/> (each with what is below it) and the folders above them; all when none is given.</summary>
    internal static IReadOnlyList<FileEntry> Select(IReadOnlyList<FileEntry> entries, IReadOnlyList<string> paths)
    {
        if (paths.Count == 0) return entries;
        var wanted = paths.Select(p => p.Replace('\\', '/').Trim('/')).ToList();
        bool Below(string name, string path) => name == path || name.StartsWith(path + "/", StringComparison.Ordinal);
        var selected = entries.Where(e => wanted.Any(p => Below(e.Name, p) || (e.Fs?.IsDirectory == true && Below(p, e.Name)))).ToList();
        var unmatched = wanted.FirstOrDefault(p => !selected.Any(e => Below(e.Name, p)));
        if (unmatched is not null)
            throw new BackupToolsException(BackupErrorKind.NotFound, $"The backup holds no configuration entry '{unmatched}'.", unmatched);
        return selected;
    }

    private static void CreateDirectories(string root, IReadOnlyList<PlannedEntry> steps, Staging staged)
    {
        foreach (var step in steps.Where(s => s.Fs.IsDirectory && s.Action != PlannedAction.Merge))
        {
            RestorePlan.CheckNoLinkOnTheWay(root, ConfigPathRules.SplitEntryName(step.Entry.Name), step.Entry.Name);
            if (step.Action == PlannedAction.Replace) File.Delete(step.TargetPath); // a file or link, never followed
            staged.CreateDirectory(step.TargetPath);
        }
    }

    /// <summary>Reads one file back into a private temporary file beside its place, with the backup's mode and time.</summary>
    private static async Task StageFileAsync(BackupRepository repository, string root, PlannedEntry step, Staging staged, CancellationToken ct)
    {
        var segments = ConfigPathRules.SplitEntryName(step.Entry.Name);
        RestorePlan.CheckNoLinkOnTheWay(root, segments, step.Entry.Name);
        var folder = Path.GetDirectoryName(step.TargetPath)!;
        if (!Directory.Exists(folder)) staged.CreateDirectory(folder);
        // A short stem keeps the temporary name within the file system's name length limit.
        var temp = Path.Combine(folder, $".{segments[^1][..Math.Min(segments[^1].Length, 64)]}.bt-{Guid.NewGuid():N}.tmp");
        staged.AddFile(temp, step.TargetPath);
        await using (var output = new FileStream(temp, PrivateFile.ForWriting(FileMode.CreateNew, FileOptions.Asynchronous)))
            await repository.ReadFileAsync(step.Entry, output, null, ct).ConfigureAwait(false);
        ApplyMetadata(temp, step.Fs);
    }

    /// <summary>Creates the backup's links (each checked by <see cref="RestorePlan"/> to stay inside); returns how many.</summary>
    private static int CreateLinks(string root, IReadOnlyList<PlannedEntry> steps)
    {
        var count = 0;
        foreach (var step in steps.Where(s => s.Fs.IsSymlink))
        {
            RestorePlan.CheckNoLinkOnTheWay(root, ConfigPathRules.SplitEntryName(step.Entry.Name), step.Entry.Name);
            if (step.Action == PlannedAction.Replace) File.Delete(step.TargetPath);
            File.CreateSymbolicLink(step.TargetPath, step.Fs.LinkTarget!);
            count++;
        }
        return count;
    }

    /// <summary>Gives folders the backup's mode and time, deepest first (writing into a folder changes its time). Existing folders only with Force.</summary>
    private static int ApplyDirectoryMetadata(IReadOnlyList<PlannedEntry> steps, bool force)
    {
        var folders = steps.Where(s => s.Fs.IsDirectory && (force || s.Action != PlannedAction.Merge)).Reverse().ToList();
        foreach (var step in folders) ApplyMetadata(step.TargetPath, step.Fs);
        return folders.Count;
    }

    /// <summary>Sets the recorded mode (Unix) and modification time on a file or folder this restore wrote (never on a link).</summary>
    private static void ApplyMetadata(string path, FileSystemMetadata fs)
    {
        if (!OperatingSystem.IsWindows() && fs.ParseMode() is { } mode) File.SetUnixFileMode(path, mode);
        if (fs.IsDirectory) Directory.SetLastWriteTimeUtc(path, fs.Modified.UtcDateTime);
        else File.SetLastWriteTimeUtc(path, fs.Modified.UtcDateTime);
    }

    /// <summary>What phase 2 created, so a failure can take it back and success can rename it into place.</summary>
    private sealed class Staging
    {
        private readonly List<string> _folders = new();
        private readonly List<(string Temp, string Target)> _files = new();

        public int FileCount => _files.Count;

        /// <summary>Creates a folder (and missing parents), remembering each one created, parents first.</summary>
        public void CreateDirectory(string path)
        {
            var missing = new Stack<string>();
            for (var p = path; !Directory.Exists(p); p = Path.GetDirectoryName(p)!) missing.Push(p);
            foreach (var folder in missing)
            {
                Directory.CreateDirectory(folder);
                _folders.Add(folder);
            }
        }

        public void AddFile(string temp, string target) => _files.Add((temp, target));

        /// <summary>Renames every temporary file into place (replacing a file or link there, never following it).</summary>
        public void Commit()
        {
            foreach (var (temp, target) in _files) File.Move(temp, target, overwrite: true);
        }

        /// <summary>Deletes the temporary files and the folders created, deepest first; what cannot be removed is logged.</summary>
        public void RollBack(IBackupLog log)
        {
            foreach (var (temp, _) in _files) TryDelete(() => File.Delete(temp), temp, log);
            foreach (var folder in Enumerable.Reverse(_folders)) TryDelete(() => Directory.Delete(folder), folder, log);
        }

        private static void TryDelete(Action delete, string path, IBackupLog log)
        {
            try
            {
                delete();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log.Write(LogLevel.Warning, $"Could not remove '{path}' after the failed restore: {e.Message}");
            }
        }
    }
}
