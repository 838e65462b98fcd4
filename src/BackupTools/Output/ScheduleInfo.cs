namespace BackupTools;

/// <summary>One scheduled job as Get-BackupSchedule and Register-BackupSchedule write it (no secrets).</summary>
public sealed class ScheduleInfo
{
    /// <summary>The job's name.</summary>
    public string Name { get; init; } = "";
    /// <summary>Backup or Copy.</summary>
    public string Action { get; init; } = "";
    /// <summary>The cron expression.</summary>
    public string Cron { get; init; } = "";
    /// <summary>The time zone the expression is read in.</summary>
    public string TimeZone { get; init; } = "";
    /// <summary>False when the job is kept but not run.</summary>
    public bool Enabled { get; init; }
    /// <summary>When the job runs next (in the past when it is due now).</summary>
    public DateTimeOffset? NextRun { get; init; }
    /// <summary>True when an Invoke-BackupSchedule now would run it.</summary>
    public bool Due { get; init; }
    /// <summary>When it last ran.</summary>
    public DateTimeOffset? LastRun { get; init; }
    /// <summary>Succeeded or Failed, or null when it never ran.</summary>
    public string? LastResult { get; init; }
    /// <summary>The last run's summary.</summary>
    public string? LastMessage { get; init; }
    /// <summary>The backup the last run made or copied.</summary>
    public string? LastBackupId { get; init; }
    /// <summary>The database (connection string without password).</summary>
    public string? Database { get; init; }
    /// <summary>The object-storage endpoint.</summary>
    public string? Storage { get; init; }
    /// <summary>Configuration paths.</summary>
    public string[] ConfigPath { get; init; } = [];
    /// <summary>The repositories (a Copy job copies from the first).</summary>
    public string[] Repository { get; init; } = [];
    /// <summary>A Copy job's destination.</summary>
    public string? CopyTo { get; init; }
    /// <summary>Labels given to each backup.</summary>
    public string[] Tag { get; init; } = [];
    /// <summary>Verification after each run.</summary>
    public string Verify { get; init; } = "";
    /// <summary>The retention applied after a backup, e.g. "7 daily, 4 weekly, 12 monthly".</summary>
    public string? Retention { get; init; }
    /// <summary>The schedule file the job is kept in.</summary>
    public string Path { get; init; } = "";
}

/// <summary>One job run by Invoke-BackupSchedule.</summary>
public sealed class ScheduleRunInfo
{
    /// <summary>The job's name.</summary>
    public string Name { get; init; } = "";
    /// <summary>The cron occurrence that made it due (missed ones are caught up by this one run).</summary>
    public DateTimeOffset DueAt { get; init; }
    /// <summary>When it started.</summary>
    public DateTimeOffset Started { get; init; }
    /// <summary>True when everything the job did passed.</summary>
    public bool Success { get; init; }
    /// <summary>What happened, errors included.</summary>
    public string Message { get; init; } = "";
    /// <summary>The backup made or copied, if any.</summary>
    public string? BackupId { get; init; }
    /// <summary>How long it took.</summary>
    public TimeSpan Duration { get; init; }
}

/// <summary>What Register-BackupSchedule -Install wrote (or, with -WhatIf, would write).</summary>
public sealed class ScheduleInstallation
{
    /// <summary>Systemd, Cron or WindowsTask.</summary>
    public string Kind { get; init; } = "";
    /// <summary>False under -WhatIf.</summary>
    public bool Installed { get; init; }
    /// <summary>The command the scheduler starts, as program and arguments.</summary>
    public string[] Command { get; init; } = [];
    /// <summary>The files written, by path, with their content.</summary>
    public System.Collections.Specialized.OrderedDictionary Files { get; init; } = new();
    /// <summary>The commands run after writing them, one line each.</summary>
    public string[] Commands { get; init; } = [];
}
