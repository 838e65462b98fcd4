using System.Management.Automation;
using BackupTools.Core.Schedules;

namespace BackupTools.Infrastructure;

/// <summary>Base of the *-BackupSchedule cmdlets: -Path chooses the schedule file (else $env:BACKUPTOOLS_SCHEDULE_FILE, else the user config folder).</summary>
public abstract class ScheduleCmdletBase : BackupCmdletBase
{
    /// <summary>The schedule file; by default schedules.json next to the repository registry.</summary>
    [Parameter]
    public string? Path { get; set; }

    /// <summary>The schedule file this invocation works on.</summary>
    internal ScheduleFile OpenSchedule()
        => ScheduleFile.Open(Path is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path));
}
