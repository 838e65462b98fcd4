namespace BackupTools;

/// <summary>How New-Backup reads a database.</summary>
public enum BackupMethod
{
    /// <summary>pg_dump streamed into the repository.</summary>
    Logical,
    /// <summary>pg_basebackup's tar streamed into the repository; needs WAL archiving (Enable-WalArchiving) into it.</summary>
    Physical,
}

/// <summary>How thoroughly a backup is checked.</summary>
public enum TestLevel
{
    /// <summary>The manifest opens and every chunk exists at its stored size.</summary>
    Quick,
    /// <summary>Every chunk is read, authenticated, decompressed and hash-checked.</summary>
    Full,
    /// <summary>A restore drill: the database is restored into a scratch database, checked against the backup and dropped.</summary>
    Restore,
}

/// <summary>The verification New-Backup runs after taking a backup.</summary>
public enum VerifyMode
{
    /// <summary>No verification.</summary>
    None,
    /// <summary>A quick check.</summary>
    Quick,
    /// <summary>A full check.</summary>
    Full,
}

/// <summary>The verification a scheduled job runs after each backup or copy.</summary>
public enum ScheduleVerifyMode
{
    /// <summary>No verification.</summary>
    None,
    /// <summary>A quick check.</summary>
    Quick,
    /// <summary>A full check.</summary>
    Full,
    /// <summary>Backup jobs: a quick check, then a restore drill of the new backup (Test-Backup -Level Restore), recorded for Get-BackupStatus.</summary>
    Restore,
}

/// <summary>The parts of a backup Restore-Backup can put back.</summary>
public enum BackupComponent
{
    /// <summary>The PostgreSQL database.</summary>
    Database,
    /// <summary>The storage buckets' objects.</summary>
    Storage,
    /// <summary>The configuration files and folders (New-Backup -ConfigPath).</summary>
    Config,
}

/// <summary>The formats Export-BackupReport writes.</summary>
public enum BackupReportFormat
{
    /// <summary>One self-contained HTML page (inline CSS and SVG charts, no script).</summary>
    Html,
    /// <summary>The same data as JSON.</summary>
    Json,
    /// <summary>A node_exporter textfile-collector file.</summary>
    Prometheus,
}

/// <summary>What runs Invoke-BackupSchedule periodically (Register-BackupSchedule -Install -Scheduler).</summary>
public enum ScheduleRunner
{
    /// <summary>A systemd service + timer.</summary>
    Systemd,
    /// <summary>A crontab line.</summary>
    Cron,
    /// <summary>A Windows Scheduled Task.</summary>
    WindowsTask,
}
