namespace BackupTools.Core.Retention;

/// <summary>One backup as the retention policy sees it.</summary>
/// <param name="Id">The backup id.</param>
/// <param name="Time">When the backup started.</param>
/// <param name="Tags">Its tags.</param>
/// <param name="Kind">"logical" or "physical" (a base backup for point-in-time recovery).</param>
/// <param name="Verified">True when its latest verification passed.</param>
public sealed record RetentionCandidate(string Id, DateTimeOffset Time, IReadOnlyCollection<string> Tags, string Kind, bool Verified)
{
    /// <summary>The manifest kind of a physical base backup.</summary>
    public const string PhysicalKind = "physical";

    /// <summary>True for a physical base backup.</summary>
    public bool IsPhysical => string.Equals(Kind, PhysicalKind, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Whether a backup stays.</summary>
public enum RetentionAction
{
    /// <summary>At least one rule keeps it.</summary>
    Keep,
    /// <summary>No rule keeps it.</summary>
    Remove,
}

/// <summary>A rule that keeps a backup.</summary>
public enum RetentionRule
{
    /// <summary>Not selected by the policy's tag filter, so the policy does not touch it.</summary>
    NotSelected,
    /// <summary>One of the KeepLast newest.</summary>
    Last,
    /// <summary>Within KeepWithin of the newest backup.</summary>
    Within,
    /// <summary>The newest of its hour.</summary>
    Hourly,
    /// <summary>The newest of its day.</summary>
    Daily,
    /// <summary>The newest of its ISO week.</summary>
    Weekly,
    /// <summary>The newest of its month.</summary>
    Monthly,
    /// <summary>The newest of its year.</summary>
    Yearly,
    /// <summary>The newest backup whose latest verification passed: never removed.</summary>
    NewestVerified,
    /// <summary>The physical base backup the retained point-in-time window starts from.</summary>
    PitrWindow,
}

/// <summary>The policy's verdict on one backup: keep (with every rule that keeps it) or remove (no reasons).</summary>
public sealed record RetentionDecision(RetentionCandidate Backup, RetentionAction Action, IReadOnlyList<RetentionRule> Reasons);
