using System.Management.Automation;
using System.Security;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>
/// Copy-Backup: replicates a backup into another repository (another region, cold storage) that has its own key.
/// Only the chunks the destination lacks are uploaded; the copy is verified before it is committed.
/// </summary>
[Cmdlet(VerbsCommon.Copy, "Backup", DefaultParameterSetName = BackupSelector.ById, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(BackupCopyResult))]
public sealed class CopyBackupCommand : BackupSelectionCmdletBase
{
    /// <summary>The environment variable holding the destination's passphrase for unattended runs.</summary>
    public const string DestinationPassphraseVariable = "BACKUPTOOLS_DESTINATION_PASSPHRASE";

    /// <summary>The destination repository: a registered name, path or URI. It must exist (New-BackupRepository).</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = "";

    /// <summary>The destination's passphrase (else -DestinationKeyFile, $env:BACKUPTOOLS_DESTINATION_PASSPHRASE, the registration's key file).</summary>
    [Parameter]
    public SecureString? DestinationPassphrase { get; set; }

    /// <summary>A file whose first line is the destination's passphrase.</summary>
    [Parameter]
    public string? DestinationKeyFile { get; set; }

    /// <summary>S3 service URL of the destination, when it is not the source's.</summary>
    [Parameter]
    public string? DestinationEndpoint { get; set; }

    /// <summary>S3 region of the destination.</summary>
    [Parameter]
    public string? DestinationRegion { get; set; }

    /// <summary>S3 credentials of the destination: user name = access key id, password = secret access key.</summary>
    [Parameter]
    [Credential]
    public PSCredential? DestinationCredential { get; set; }

    /// <summary>S3 storage class for the copy's chunks (and its manifest, for classes read at once). A local destination ignores it.</summary>
    [Parameter]
    [ValidateSet("STANDARD", "STANDARD_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE", IgnoreCase = true)]
    public string? StorageClass { get; set; }

    /// <summary>How the copy is checked before it is committed: Quick (every chunk present at its size) or Full (every chunk read back).</summary>
    [Parameter]
    public TestLevel Verify { get; set; } = TestLevel.Quick;

    /// <summary>When the destination already holds the backup, write a result marked Skipped instead of an error.</summary>
    [Parameter]
    public SwitchParameter SkipExisting { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var (id, given) = SelectedBackup;
        var source = Resolve(given);
        var resolved = Resolve(Destination, DestinationEndpoint, DestinationRegion, DestinationCredential);
        var destination = resolved with { Location = RunQuick(() => resolved.Location.WithStorageClass(StorageClass)) };
        if (!ShouldProcess(destination.Location.Uri, $"Copy backup {id} from {source.Location.Uri}")) return;
        var from = Open(source);
        var to = Open(destination, () => ResolvePassphrase(DestinationPassphrase, DestinationKeyFile, DestinationPassphraseVariable,
            destination.Registration, "Destination repository passphrase: ", "-DestinationPassphrase or -DestinationKeyFile"));
        var request = new CopyBackupRequest
        {
            BackupId = id,
            SkipExisting = SkipExisting,
            Verify = Verify == TestLevel.Full ? VerifyLevel.Full : VerifyLevel.Quick,
        };
        if (TryRunEngine((progress, log, ct) => CopyBackup.RunAsync(from, to, request, progress, log, ct), out var outcome))
            WriteObject(OutputMapper.ToCopyResult(outcome, source, destination));
    }
}
