using System.Management.Automation;
using BackupTools.Core;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>Get-BackupSchedule: the scheduled jobs with their next run and last result.</summary>
[Cmdlet(VerbsCommon.Get, "BackupSchedule")]
[OutputType(typeof(ScheduleInfo))]
public sealed class GetBackupScheduleCommand : ScheduleCmdletBase
{
    /// <summary>Jobs to show; wildcards allowed. All when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var schedule = OpenSchedule();
        var (jobs, state) = RunQuick(() => (schedule.LoadJobs(), schedule.LoadState()));
        var now = DateTimeOffset.UtcNow;
        foreach (var pattern in Name is { Length: > 0 } ? Name : ["*"])
        {
            var wildcard = new WildcardPattern(pattern, WildcardOptions.IgnoreCase);
            var matches = jobs.Where(j => wildcard.IsMatch(j.Name)).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(pattern))
                WriteEngineError(new BackupToolsException(BackupErrorKind.NotFound, $"No schedule job named '{pattern}' in {schedule.FilePath}.", pattern));
            foreach (var job in matches)
                WriteObject(RunQuick(() => OutputMapper.ToScheduleInfo(job, state.GetValueOrDefault(job.Name), schedule.FilePath, now)));
        }
    }
}
