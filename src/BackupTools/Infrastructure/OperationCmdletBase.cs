using System.Management.Automation;

namespace BackupTools.Infrastructure;

/// <summary>
/// Base of the long-running repository cmdlets (New-Backup, Test-Backup, Restore-Backup, …): adds -LogPath, a
/// JSON-lines file every engine run of the cmdlet appends its messages and results to.
/// </summary>
public abstract class OperationCmdletBase : RepositoryCmdletBase
{
    /// <summary>A file to append JSON-lines log events to (created when missing; its folder must exist).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LogPath { get; set; }

    /// <inheritdoc />
    protected override string? LogFilePath => LogPath;
}
