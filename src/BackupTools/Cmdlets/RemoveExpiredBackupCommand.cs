using System.Management.Automation;
using BackupTools.Core.Retention;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>
/// Remove-ExpiredBackup: applies a grandfather-father-son retention policy, removes the backups no rule keeps and,
/// with -Prune, deletes the chunks and WAL no remaining backup needs.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "ExpiredBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(RetentionDecisionInfo), typeof(PruneSummary))]
public sealed class RemoveExpiredBackupCommand : OperationCmdletBase
{
    /// <summary>The repository: a registered name, path or URI.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    /// <summary>Keep the N newest backups.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int KeepLast { get; set; }

    /// <summary>Keep the newest backup of each of the N newest hours that have one.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int KeepHourly { get; set; }

    /// <summary>Keep the newest backup of each of the N newest days that have one.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int KeepDaily { get; set; }

    /// <summary>Keep the newest backup of each of the N newest ISO weeks that have one.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int KeepWeekly { get; set; }

    /// <summary>Keep the newest backup of each of the N newest months that have one.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int KeepMonthly { get; set; }

    /// <summary>Keep the newest backup of each of the N newest years that have one.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int KeepYearly { get; set; }

    /// <summary>Keep every backup taken within this span before the newest backup.</summary>
    [Parameter]
    public TimeSpan? KeepWithin { get; set; }

    /// <summary>Apply the policy only to backups carrying one of these tags; the others are kept.</summary>
    [Parameter]
    public string[]? Tag { get; set; }

    /// <summary>The time zone of the calendar buckets (IANA id such as Europe/Berlin); the local zone by default.</summary>
    [Parameter]
    public string? TimeZone { get; set; }

    /// <summary>After removing, delete the chunks and WAL no remaining backup needs.</summary>
    [Parameter]
    public SwitchParameter Prune { get; set; }

    /// <summary>Unreferenced chunks younger than this stay (default 1 hour); 0 prunes at once.</summary>
    [Parameter]
    public TimeSpan PruneGracePeriod { get; set; } = PruneOptions.DefaultGracePeriod;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var policy = RunQuick(() =>
        {
            var p = new RetentionPolicy
            {
                KeepLast = KeepLast, KeepHourly = KeepHourly, KeepDaily = KeepDaily, KeepWeekly = KeepWeekly,
                KeepMonthly = KeepMonthly, KeepYearly = KeepYearly, KeepWithin = KeepWithin, Tags = Tag ?? [],
                TimeZone = RetentionPolicy.FindTimeZone(TimeZone),
            };
            p.Validate();
            return p;
        });
        var repository = Resolve(Repository);
        var opened = Open(repository);
        var decisions = RunEngine((_, log, ct) => RetentionPlanner.PlanAsync(opened, policy, log, ct));
        foreach (var decision in decisions)
        {
            var removed = decision.Action == Core.Retention.RetentionAction.Remove
                && ShouldProcess($"backup {decision.Backup.Id} in {repository.Location.Uri}", "Remove expired backup")
                && TryRunEngine(async (_, _, ct) =>
                {
                    await opened.DeleteManifestAsync(decision.Backup.Id, ct).ConfigureAwait(false);
                    return decision; // -LogPath records it as backup.removed
                }, out _);
            WriteObject(RetentionOutputMapper.ToInfo(decision, repository, removed));
        }
        if (Prune && ShouldProcess(repository.Location.Uri, $"Prune chunks unreferenced for over {PruneGracePeriod} and WAL no backup needs"))
        {
            var options = new PruneOptions { GracePeriod = PruneGracePeriod };
            var result = RunEngine((progress, log, ct) => opened.PruneAsync(options, progress, log, ct));
            WriteObject(RetentionOutputMapper.ToSummary(result, repository, PruneGracePeriod));
        }
    }
}
