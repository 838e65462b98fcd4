namespace BackupTools.Core.Reports;

/// <summary>How a source or repository is doing, worst last so states compare with &lt; and &gt;.</summary>
public enum HealthState
{
    /// <summary>Recent backups, verified, nothing to do.</summary>
    Healthy = 0,
    /// <summary>Still within the RPO target, but something needs attention soon (see the reasons).</summary>
    Warning = 1,
    /// <summary>The RPO target is missed, or the latest check failed: act now.</summary>
    Critical = 2,
}

/// <summary>
/// The thresholds the status is judged by. Rules (see docs/monitoring.md):
/// Critical when the newest backup of a source is older than <see cref="RpoTarget"/> or its latest verification
/// failed, or a repository holds no backup or a schedule's last run failed;
/// Warning when the newest backup is older than <see cref="WarningFraction"/> × RPO, when no verification passed in
/// <see cref="VerificationMaxAge"/>, when the newest backup recorded warnings, or when manifests do not open.
/// </summary>
public sealed record StatusPolicy
{
    /// <summary>The default recovery point objective: a day.</summary>
    public static readonly TimeSpan DefaultRpoTarget = TimeSpan.FromHours(24);

    /// <summary>The longest acceptable age of the newest backup of a source (default 24 hours).</summary>
    public TimeSpan RpoTarget { get; init; } = DefaultRpoTarget;
    /// <summary>The fraction of the RPO target after which an age is a warning (default 0.8).</summary>
    public double WarningFraction { get; init; } = 0.8;
    /// <summary>How long a source may go without a passed verification before it is a warning (default 7 days).</summary>
    public TimeSpan VerificationMaxAge { get; init; } = TimeSpan.FromDays(7);
    /// <summary>How many of the newest backups of a source make up its size and duration trend (default 30).</summary>
    public int TrendLength { get; init; } = 30;

    /// <summary>InvalidArgument (naming the value) when a threshold is out of range.</summary>
    public void Validate()
    {
        if (RpoTarget <= TimeSpan.Zero)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"The RPO target {RpoTarget} must be positive.", RpoTarget);
        if (WarningFraction is <= 0 or > 1)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"The warning fraction {WarningFraction} must be in (0, 1].", WarningFraction);
        if (VerificationMaxAge <= TimeSpan.Zero)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"The verification age {VerificationMaxAge} must be positive.", VerificationMaxAge);
        if (TrendLength < 1)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"The trend length {TrendLength} must be at least 1.", TrendLength);
    }
}

/// <summary>One backup as seen from one source: when, how big (that source's files), how long.</summary>
/// <param name="BackupId">The backup id.</param>
/// <param name="Kind">The manifest kind ("logical", "physical", …).</param>
/// <param name="StartTime">When the backup started (the recovery point its data reflects).</param>
/// <param name="EndTime">When it was committed.</param>
/// <param name="Duration">How long the whole backup took.</param>
/// <param name="Size">Plaintext bytes of this source's files in the backup.</param>
/// <param name="Added">Sealed bytes the backup added to the repository (the whole backup).</param>
/// <param name="Tags">The backup's tags.</param>
/// <param name="Warnings">Messages recorded while the source was taken.</param>
public sealed record BackupPoint(string BackupId, string Kind, DateTimeOffset StartTime, DateTimeOffset EndTime,
    TimeSpan Duration, long Size, long Added, IReadOnlyList<string> Tags, IReadOnlyList<string> Warnings);

/// <summary>One verification (or restore drill, level "Restore") recorded in a backup's manifest.</summary>
/// <param name="BackupId">The backup checked.</param>
/// <param name="Time">When.</param>
/// <param name="Level">Quick, Full or Restore.</param>
/// <param name="Success">Whether it passed.</param>
/// <param name="Errors">What failed.</param>
/// <param name="Duration">For a drill, the measured recovery time; otherwise null.</param>
public sealed record VerificationSummary(string BackupId, DateTimeOffset Time, string Level, bool Success, IReadOnlyList<string> Errors,
    TimeSpan? Duration = null);

/// <summary>The span point-in-time recovery can reach for a source (physical backups + WAL archive).</summary>
public sealed record PitrWindow(DateTimeOffset From, DateTimeOffset To);

/// <summary>
/// A scheduled job as the status sees it: the hook for schedules (Schedules/). <see cref="Source"/> null means the
/// job covers every source of the repository.
/// </summary>
public sealed record ScheduleStatus(string Name, DateTimeOffset? NextRun, DateTimeOffset? LastRun, bool? LastRunSucceeded, SourceKey? Source = null);

/// <summary>The status of one source (a database, a storage bucket, a set of config paths) in one repository.</summary>
public sealed record SourceStatus
{
    /// <summary>Which source.</summary>
    public required SourceKey Source { get; init; }
    /// <summary>Healthy, Warning or Critical.</summary>
    public required HealthState State { get; init; }
    /// <summary>Why the state is not Healthy (empty when it is).</summary>
    public required IReadOnlyList<string> Reasons { get; init; }
    /// <summary>The newest backup of the source.</summary>
    public required BackupPoint LastSuccess { get; init; }
    /// <summary>Now − the newest backup's start time (never negative).</summary>
    public required TimeSpan Age { get; init; }
    /// <summary>How many backups of the source the repository holds.</summary>
    public required int BackupCount { get; init; }
    /// <summary>The newest backups, oldest first (at most <see cref="StatusPolicy.TrendLength"/>).</summary>
    public required IReadOnlyList<BackupPoint> Trend { get; init; }
    /// <summary>The most recent verification of any backup of the source, or null when never verified.</summary>
    public VerificationSummary? LastVerification { get; init; }
    /// <summary>The most recent restore drill (a verification at level "Restore"), or null when none ran.</summary>
    public VerificationSummary? LastDrill { get; init; }
    /// <summary>The point-in-time recovery window, or null without physical backups and a WAL archive.</summary>
    public PitrWindow? PitrWindow { get; init; }
    /// <summary>The next scheduled run covering the source, or null when none is scheduled.</summary>
    public DateTimeOffset? NextScheduledRun { get; init; }
}

/// <summary>The status of one repository: its sources, every backup, and what is wrong with the repository itself.</summary>
public sealed record RepositoryStatus
{
    /// <summary>The repository as the user named it (a registered name, path or URI).</summary>
    public required string Name { get; init; }
    /// <summary>Where it is (never holds credentials).</summary>
    public required string Location { get; init; }
    /// <summary>The worst state of the repository and its sources.</summary>
    public required HealthState State { get; init; }
    /// <summary>Problems of the repository itself (no backups, unreadable manifests, failed schedules).</summary>
    public required IReadOnlyList<string> Reasons { get; init; }
    /// <summary>The state <see cref="Reasons"/> alone give (Healthy when there are none).</summary>
    public required HealthState OwnState { get; init; }
    /// <summary>The RPO target the status was judged by.</summary>
    public required TimeSpan RpoTarget { get; init; }
    /// <summary>One entry per source, ordered by type then identity.</summary>
    public required IReadOnlyList<SourceStatus> Sources { get; init; }
    /// <summary>Every backup, oldest first, with the sources it holds.</summary>
    public required IReadOnlyList<BackupRow> Backups { get; init; }
    /// <summary>Every verification and drill recorded, oldest first.</summary>
    public required IReadOnlyList<VerificationSummary> Verifications { get; init; }
    /// <summary>Backups whose manifest does not open (damaged or tampered).</summary>
    public required IReadOnlyList<string> UnreadableBackups { get; init; }
    /// <summary>Scheduled jobs writing to the repository (empty until schedules exist).</summary>
    public required IReadOnlyList<ScheduleStatus> Schedules { get; init; }
}

/// <summary>One backup of the repository for the report's table.</summary>
/// <param name="BackupId">The backup id.</param>
/// <param name="Kind">The manifest kind.</param>
/// <param name="StartTime">When it started.</param>
/// <param name="Duration">How long it took.</param>
/// <param name="Size">Plaintext bytes read.</param>
/// <param name="Added">Sealed bytes added to the repository.</param>
/// <param name="Sources">The sources it holds ("database db1:5432/app", …).</param>
/// <param name="Tags">Its tags.</param>
/// <param name="Verification">Its latest verification, or null.</param>
public sealed record BackupRow(string BackupId, string Kind, DateTimeOffset StartTime, TimeSpan Duration, long Size, long Added,
    IReadOnlyList<string> Sources, IReadOnlyList<string> Tags, VerificationSummary? Verification);

/// <summary>What Export-BackupReport writes: the status of one or more repositories at one moment.</summary>
/// <param name="GeneratedAt">When the report was computed.</param>
/// <param name="ToolVersion">The BackupTools version that computed it.</param>
/// <param name="Repositories">The repositories.</param>
public sealed record BackupReport(DateTimeOffset GeneratedAt, string ToolVersion, IReadOnlyList<RepositoryStatus> Repositories)
{
    /// <summary>The worst state over every repository (Healthy when there is none).</summary>
    public HealthState State => Repositories.Count == 0 ? HealthState.Healthy : Repositories.Max(r => r.State);
}
