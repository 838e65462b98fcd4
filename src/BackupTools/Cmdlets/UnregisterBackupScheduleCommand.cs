using System.Management.Automation;
using BackupTools.Core;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>Unregister-BackupSchedule: removes scheduled jobs (and what the scheduler remembers about them).</summary>
[Cmdlet(VerbsLifecycle.Unregister, "BackupSchedule", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class UnregisterBackupScheduleCommand : ScheduleCmdletBase
{
    /// <summary>The jobs to remove.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var schedule = OpenSchedule();
        foreach (var name in Name)
        {
            if (!ShouldProcess(schedule.FilePath, $"Remove schedule job '{name}'")) continue;
            if (!RunQuick(() => schedule.Unregister(name)))
                WriteEngineError(new BackupToolsException(BackupErrorKind.NotFound, $"No schedule job named '{name}' in {schedule.FilePath}.", name));
        }
    }
}
