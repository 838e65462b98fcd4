using System.Management.Automation;
using BackupTools.Core;
using BackupTools.Core.Repository;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>Test-Backup: checks that a backup can be read back (Quick: every chunk present; Full: every chunk decrypted and hash-checked).</summary>
[Cmdlet(VerbsDiagnostic.Test, "Backup", DefaultParameterSetName = BackupSelector.ById)]
[OutputType(typeof(BackupTestResult))]
public sealed class TestBackupCommand : RepositoryCmdletBase
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

    /// <summary>Quick (every chunk exists at its size) or Full (every chunk read, authenticated and hash-checked).</summary>
    [Parameter]
    public TestLevel Level { get; set; } = TestLevel.Quick;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var (id, given) = BackupSelector.Select(InputObject, Id, Repository);
        var opened = Open(Resolve(given));
        var level = Level == TestLevel.Full ? VerifyLevel.Full : VerifyLevel.Quick;
        if (TryRunEngine(async (progress, log, ct) =>
            {
                var manifest = await opened.LoadManifestAsync(id, ct).ConfigureAwait(false);
                var checks = await opened.VerifyAsync(manifest, level, progress, ct).ConfigureAwait(false);
                try
                {
                    await opened.RecordVerificationAsync(manifest, VerificationRecord.From(level, checks), ct).ConfigureAwait(false);
                }
                catch (BackupToolsException e)
                {
                    log.Write(LogLevel.Warning, $"The result was not recorded in backup {id}: {e.Message}");
                }
                return checks;
            }, out var checks))
        {
            WriteObject(checks.Select(c => OutputMapper.ToTestResult(id, c)), enumerateCollection: true);
        }
    }
}
