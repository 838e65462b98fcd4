using BackupTools.Core.Operations;
using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;

namespace BackupTools.Core.Sources.ConfigFiles;

/// <summary>
/// New-Backup -ConfigPath: adds the "config" component to a backup session. Each regular file is read whole and
/// stored like any stream (chunked, compressed, encrypted); folders and symbolic links are entries without content.
/// The component's source records the host and each root's absolute path, never file contents.
/// The restore side is <see cref="ConfigRestore"/>.
/// </summary>
public static class ConfigBackup
{
    /// <summary>The component type in the manifest.</summary>
    public const string ComponentType = "config";

    /// <summary>The source key prefix under which each root's absolute path is recorded ("root:api" = "/srv/supabase/volumes/api").</summary>
    public const string RootKeyPrefix = "root:";

    /// <summary>Stores every item of <paramref name="tree"/> (scanned beforehand with <see cref="ConfigTree.Scan"/>) into the session.</summary>
    public static async Task WriteComponentAsync(BackupSession session, ConfigTree tree, IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct = default)
    {
        var source = new Dictionary<string, string> { ["host"] = Environment.MachineName };
        foreach (var (root, path) in tree.Roots) source[RootKeyPrefix + root] = path;
        var component = session.AddComponent(ComponentType, ComponentType, source);
        log.Write(LogLevel.Verbose, $"Backing up {tree.Items.Count} configuration entries from {string.Join(", ", tree.Roots.Values)}.");
        foreach (var special in tree.Skipped)
        {
            var warning = $"Left out {special}: only regular files, folders and symbolic links are backed up.";
            component.AddWarning(warning);
            log.Write(LogLevel.Warning, warning);
        }

        var overall = new TransferProgress(progress, "Backing up configuration", $"{tree.Items.Count} entries", tree.TotalBytes);
        long done = 0;
        foreach (var item in tree.Items)
        {
            if (!item.Metadata.IsFile)
            {
                foreach (var destination in session.Live)
                    component.AddFile(destination, new FileEntry { Name = item.Name, Fs = item.Metadata });
                continue;
            }
            var before = done;
            await using var stream = ConfigTree.OpenRead(item);
            var files = await component.WriteFileAsync(item.Name, stream, f => f.Fs = item.Metadata,
                new OffsetProgress(overall, before), ct).ConfigureAwait(false);
            done += files.Values.First().Size;
        }
    }

    /// <summary>Reports a file's bytes on top of the bytes of the files before it.</summary>
    private sealed class OffsetProgress(IProgress<long> overall, long offset) : IProgress<long>
    {
        public void Report(long value) => overall.Report(offset + value);
    }
}
