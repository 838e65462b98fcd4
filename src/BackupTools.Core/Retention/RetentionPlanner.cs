using BackupTools.Core.Repository;

namespace BackupTools.Core.Retention;

/// <summary>Applies a <see cref="RetentionPolicy"/> to the backups of a repository (reading only; removal is the caller's, one backup at a time).</summary>
public static class RetentionPlanner
{
    /// <summary>
    /// A decision for every readable backup, oldest first. Backups whose manifest cannot be read are never removed:
    /// each is reported as a warning. InvalidArgument for an empty or negative policy (before anything is read).
    /// </summary>
    public static async Task<IReadOnlyList<RetentionDecision>> PlanAsync(BackupRepository repository, RetentionPolicy policy, IBackupLog log, CancellationToken ct = default)
    {
        policy.Validate();
        var manifests = await repository.ListManifestsAsync(ct).ConfigureAwait(false);
        foreach (var id in repository.UnreadableManifestIds)
            log.Write(LogLevel.Warning, $"Backup {id} in repository {repository.Location} cannot be read; the retention policy leaves it alone.");
        return RetentionEvaluator.Evaluate(manifests.Select(ToCandidate), policy);
    }

    /// <summary>A manifest as the policy sees it: verified when its latest verification passed.</summary>
    public static RetentionCandidate ToCandidate(Manifest manifest)
        => new(manifest.Id, manifest.StartTime, manifest.Tags, manifest.Kind, manifest.Verifications.MaxBy(v => v.Time)?.Success == true);
}
