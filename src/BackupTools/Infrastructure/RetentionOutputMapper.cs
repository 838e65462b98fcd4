using BackupTools.Core.Retention;

namespace BackupTools.Infrastructure;

/// <summary>Turns retention and prune results into the output types PowerShell users see.</summary>
internal static class RetentionOutputMapper
{
    /// <summary>A decision as a <see cref="RetentionDecisionInfo"/> that binds back to the same repository.</summary>
    public static RetentionDecisionInfo ToInfo(RetentionDecision decision, ResolvedRepository repository, bool removed) => new()
    {
        Id = decision.Backup.Id,
        Repository = repository.Given,
        Endpoint = repository.Location.Endpoint,
        Region = repository.Location.Region,
        Time = decision.Backup.Time,
        Kind = decision.Backup.Kind,
        Tags = decision.Backup.Tags.ToArray(),
        Action = decision.Action == Core.Retention.RetentionAction.Keep ? RetentionAction.Keep : RetentionAction.Remove,
        Reasons = decision.Reasons.Select(r => r.ToString()).ToArray(),
        Removed = removed,
    };

    /// <summary>A prune result as a <see cref="PruneSummary"/>.</summary>
    public static PruneSummary ToSummary(PruneResult result, ResolvedRepository repository, TimeSpan gracePeriod) => new()
    {
        Repository = repository.Given,
        BackupsRetained = result.BackupsRetained,
        ChunksReferenced = result.ChunksReferenced,
        ChunksDeleted = result.ChunksDeleted,
        ChunksInGracePeriod = result.ChunksInGracePeriod,
        WalSegmentsDeleted = result.WalSegmentsDeleted,
        WalSkippedReason = result.WalSkippedReason,
        BytesFreed = result.BytesFreed,
        GracePeriod = gracePeriod,
    };
}
