using System.Management.Automation;

namespace BackupTools.Infrastructure;

/// <summary>
/// Base of the long-running cmdlets that act on one backup (Test-Backup, Restore-Backup): the backup is named by -Id
/// with -Repository, or piped in as a BackupInfo (-InputObject), so <c>Get-Backup | Test-Backup</c> works.
/// </summary>
public abstract class BackupSelectionCmdletBase : OperationCmdletBase
{
    /// <summary>The backup id.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = BackupSelector.ById, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Id { get; set; } = "";

    /// <summary>The repository: a registered name, path or URI.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = BackupSelector.ById, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    /// <summary>A backup from Get-Backup or New-Backup.</summary>
    [Parameter(Mandatory = true, ParameterSetName = BackupSelector.ByInputObject, ValueFromPipeline = true)]
    public BackupInfo? InputObject { get; set; }

    /// <summary>The selected backup's id and the repository as given (from the input object when there is one).</summary>
    internal (string Id, string Repository) SelectedBackup => BackupSelector.Select(InputObject, Id, Repository);
}
