namespace BackupTools.Core.Sources.ConfigFiles;

/// <summary>What Restore-Backup -Component Config asks for.</summary>
public sealed class ConfigRestoreRequest
{
    /// <summary>The folder everything is written under (created when missing); nothing is written outside it.</summary>
    public required string Destination { get; init; }

    /// <summary>Replace files, links and folders that already exist at the destination (never a folder by a file).</summary>
    public bool Force { get; init; }

    /// <summary>
    /// Before replacing anything (Force), back up each destination root that holds something to be replaced into the
    /// same repository, tagged restore-point, so restoring that backup to the same destination undoes the restore.
    /// </summary>
    public bool TakeRestorePoint { get; init; } = true;

    /// <summary>
    /// Only these entries and what is below them, as entry names ("api/kong.yml", "api"); empty = everything.
    /// The folders above a selected entry come back too.
    /// </summary>
    public IReadOnlyList<string> Paths { get; init; } = Array.Empty<string>();
}

/// <summary>The outcome of a configuration restore.</summary>
public sealed class ConfigRestoreOutcome
{
    /// <summary>The absolute destination folder.</summary>
    public string Destination { get; init; } = "";
    /// <summary>Regular files written.</summary>
    public int Files { get; set; }
    /// <summary>Folders created or, with Force, given the backup's mode and time.</summary>
    public int Directories { get; set; }
    /// <summary>Symbolic links created.</summary>
    public int Symlinks { get; set; }
    /// <summary>Bytes of file content written.</summary>
    public long BytesRestored { get; set; }
    /// <summary>The backup taken of the destination roots just before files in them were replaced, if any.</summary>
    public string? RestorePointId { get; set; }
    /// <summary>How long the restore took.</summary>
    public TimeSpan Duration { get; set; }
}
