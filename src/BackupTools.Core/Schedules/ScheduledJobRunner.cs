using BackupTools.Core.Configuration;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Retention;

namespace BackupTools.Core.Schedules;

/// <summary>
/// The real work of a scheduled job: a Backup job runs the backup engine (<see cref="BackupJob"/>) into all its
/// repositories at once; a Copy job copies the newest backup of its first repository to its destination
/// (<see cref="CopyBackup"/>, skipping one already there). A Backup job with a retention policy applies it to each
/// repository it wrote (see <see cref="ApplyRetentionAsync"/>). A Backup job with Verify = Restore runs a restore drill of
/// the new backup from the first repository written (see <see cref="DrillAsync"/>). Repositories are opened by <see cref="RepositoryOpener"/>.
/// </summary>
public sealed class ScheduledJobRunner(RepositoryOpener opener) : IScheduledJobRunner
{
    /// <summary>The passphrase variable for every repository without a key file.</summary>
    public const string PassphraseVariable = "BACKUPTOOLS_PASSPHRASE";
    /// <summary>The passphrase variable tried first for a Copy job's destination.</summary>
    public const string DestinationPassphraseVariable = "BACKUPTOOLS_DESTINATION_PASSPHRASE";

    /// <inheritdoc />
    public async Task<JobRunOutcome> RunAsync(ScheduleJob job, IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct)
    {
        var opened = new List<BackupRepository>();
        try
        {
            return job.Action == ScheduleAction.Copy
                ? await CopyAsync(job, opened, progress, log, ct).ConfigureAwait(false)
                : await BackupAsync(job, opened, progress, log, ct).ConfigureAwait(false);
        }
        finally
        {
            foreach (var repository in opened)
            {
                repository.Dispose();
                repository.Store.Dispose();
            }
        }
    }

    private async Task<JobRunOutcome> BackupAsync(ScheduleJob job, List<BackupRepository> opened, IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct)
    {
        var failures = new List<string>();
        foreach (var name in job.Repositories)
        {
            try
            {
                opened.Add(await opener.OpenAsync(name, [PassphraseVariable], ct: ct).ConfigureAwait(false));
            }
            catch (BackupToolsException e)
            {
                failures.Add($"{name}: {e.Message}");
            }
        }
        if (opened.Count == 0) return new JobRunOutcome(false, string.Join(" ", failures));
        if (job.Storage is not null)
            log.Write(LogLevel.Warning, $"Schedule job '{job.Name}': the storage source is recorded but not taken yet by this version.");

        var request = new BackupJobRequest
        {
            Database = job.Database is null ? null : new DatabaseBackupRequest { ConnectionString = job.Database, PgBinDirectory = job.PgBinDirectory },
            ConfigPaths = job.ConfigPaths,
            Tags = job.Tags,
            Verify = ScheduleJobValidator.IsDrill(job) ? VerifyLevel.Quick : VerifyLevelOf(job.Verify),
        };
        var outcomes = await BackupJob.RunAsync(opened, request, progress, log, ct).ConfigureAwait(false);
        var id = outcomes.FirstOrDefault(o => o.Manifest is not null)?.Manifest!.Id;
        foreach (var outcome in outcomes.Where(o => !o.Success))
            failures.Add($"{outcome.Repository.Location}: {outcome.Error?.Message ?? "verification failed"}");
        var written = outcomes.Where(o => o.Success).Select(o => o.Repository).ToList();
        var drill = ScheduleJobValidator.IsDrill(job) && written.Count > 0 && id is not null
            ? await DrillAsync(job, written[0], id, failures, progress, log, ct).ConfigureAwait(false)
            : "";
        var retention = new List<string>();
        if (job.Retention is { IsEmpty: false } settings)
        {
            foreach (var repository in written)
            {
                try
                {
                    retention.Add(await ApplyRetentionAsync(repository, settings, job.TimeZone, progress, log, ct).ConfigureAwait(false));
                }
                catch (BackupToolsException e)
                {
                    failures.Add($"retention in {repository.Location}: {e.Message}");
                }
            }
        }
        var message = $"Backup {id} written to {(written.Count == 0 ? "no repository" : string.Join(", ", written.Select(r => r.Location)))}."
                      + drill
                      + (retention.Count == 0 ? "" : " " + string.Join(" ", retention))
                      + (failures.Count == 0 ? "" : " Failed: " + string.Join(" ", failures));
        return new JobRunOutcome(failures.Count == 0, message, id);
    }

    /// <summary>
    /// The restore drill of the new backup <paramref name="id"/> in <paramref name="repository"/> (onto the server it was
    /// taken from, as Test-Backup -Level Restore does): recorded in the manifest, so Get-BackupStatus sees it; a failed drill
    /// is added to <paramref name="failures"/>, which fails the run. Returns the run message's sentence about it.
    /// </summary>
    private static async Task<string> DrillAsync(ScheduleJob job, BackupRepository repository, string id, List<string> failures,
        IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct)
    {
        try
        {
            var manifest = await repository.LoadManifestAsync(id, ct).ConfigureAwait(false);
            var drill = await RestoreDrill.RunAsync(repository, manifest, new RestoreDrillRequest
                {
                    PgBinDirectory = job.PgBinDirectory, RtoTarget = job.RtoTarget ?? RestoreDrillRequest.DefaultRtoTarget,
                },
                progress, log, ct).ConfigureAwait(false);
            if (drill.Success) return $" Restore drill passed in {drill.RecoveryTime.TotalSeconds:0.0} s.";
            failures.Add($"restore drill of backup {id}: {string.Join(" ", drill.Errors)}");
        }
        catch (BackupToolsException e)
        {
            failures.Add($"restore drill of backup {id}: {e.Message}");
        }
        return "";
    }

    /// <summary>
    /// Applies the job's policy to every backup in <paramref name="repository"/> (as Remove-ExpiredBackup without -Tag:
    /// calendar buckets in the job's time zone, the newest verified backup always kept), then prunes when asked.
    /// </summary>
    private static async Task<string> ApplyRetentionAsync(BackupRepository repository, RetentionSettings settings, string? timeZone,
        IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct)
    {
        var policy = new RetentionPolicy
        {
            KeepLast = settings.KeepLast ?? 0, KeepDaily = settings.KeepDaily ?? 0, KeepWeekly = settings.KeepWeekly ?? 0,
            KeepMonthly = settings.KeepMonthly ?? 0, KeepYearly = settings.KeepYearly ?? 0, TimeZone = CronSchedule.FindZone(timeZone),
        };
        var decisions = await RetentionPlanner.PlanAsync(repository, policy, log, ct).ConfigureAwait(false);
        var expired = decisions.Where(d => d.Action == RetentionAction.Remove).Select(d => d.Backup.Id).ToList();
        foreach (var id in expired)
        {
            await repository.DeleteManifestAsync(id, ct).ConfigureAwait(false);
            log.Write(LogLevel.Information, $"Removed expired backup {id} from {repository.Location}.");
        }
        var summary = $"Retention in {repository.Location}: {decisions.Count - expired.Count} kept, {expired.Count} removed";
        if (!settings.Prune) return summary + ".";
        var pruned = await repository.PruneAsync(new PruneOptions(), progress, log, ct).ConfigureAwait(false);
        return $"{summary}, {pruned.ChunksDeleted} chunks pruned.";
    }

    private async Task<JobRunOutcome> CopyAsync(ScheduleJob job, List<BackupRepository> opened, IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct)
    {
        var source = await opener.OpenAsync(job.Repositories[0], [PassphraseVariable], ct: ct).ConfigureAwait(false);
        opened.Add(source);
        var destination = await opener.OpenAsync(job.CopyTo!, [DestinationPassphraseVariable, PassphraseVariable], job.StorageClass, ct).ConfigureAwait(false);
        opened.Add(destination);
        var newest = (await source.ListManifestsAsync(ct).ConfigureAwait(false))
            .Where(m => job.CopyTag is null || m.Tags.Contains(job.CopyTag, StringComparer.OrdinalIgnoreCase))
            .MaxBy(m => (m.StartTime, m.Id)); // ids sort by second only: the start time decides within one
        if (newest is null)
            return new JobRunOutcome(false, $"Repository {source.Location} holds no backup{(job.CopyTag is null ? "" : $" tagged '{job.CopyTag}'")} to copy.");
        var request = new CopyBackupRequest { BackupId = newest.Id, SkipExisting = true, Verify = VerifyLevelOf(job.Verify) ?? VerifyLevel.Quick };
        var outcome = await CopyBackup.RunAsync(source, destination, request, progress, log, ct).ConfigureAwait(false);
        return new JobRunOutcome(true, outcome.Skipped
            ? $"Backup {newest.Id} was already in {destination.Location}."
            : $"Backup {newest.Id} copied to {destination.Location} ({outcome.ChunksNew} of {outcome.ChunksTotal} chunks uploaded).", newest.Id);
    }

    private static VerifyLevel? VerifyLevelOf(string verify)
        => Enum.TryParse<VerifyLevel>(verify, ignoreCase: true, out var level) ? level : null; // "None" = no check
}
