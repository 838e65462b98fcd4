namespace BackupTools.Core.Sources.ConfigFiles;

/// <summary>What Restore-Backup -Component Config asks for.</summary>
public sealed class ConfigRestoreRequest
{
    /// <summary>The folder everything is written under (created when missing); nothing is written outside it.</summary>
    public required string Destination { get; init; }

    /// <summary>Replace files, links and folders that already exist at the destination (never a folder by a file).</summary>
    public bool Force { get; init; }

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
    /// <summary>How long the restore took.</summary>
    public TimeSpan Duration { get; set; }
}
