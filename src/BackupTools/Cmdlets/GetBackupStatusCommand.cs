using System.Management.Automation;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>
/// Get-BackupStatus: per source (database, storage, config) of each repository, the newest backup and its age against
/// the RPO target, the latest verification and drill, size and duration trend, PITR window, next scheduled run, and
/// Healthy/Warning/Critical with the reasons.
/// </summary>
[Cmdlet(VerbsCommon.Get, "BackupStatus")]
[OutputType(typeof(BackupStatus))]
public sealed class GetBackupStatusCommand : StatusCmdletBase
{
    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var status in ReadStatuses())
        {
            WriteObject(StatusMapper.ToRows(status), enumerateCollection: true);
        }
    }
}
