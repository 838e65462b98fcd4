using System.Management.Automation;
using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>
/// Test-Backup: checks that a backup can be read back (Quick: every chunk present; Full: every chunk decrypted and
/// hash-checked) or, with -Level Restore, that it restores: a drill into a scratch database (logical backups) or a scratch
/// cluster recovered to the backup's end (physical backups), checked and removed.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "Backup", DefaultParameterSetName = BackupSelector.ById)]
[OutputType(typeof(BackupTestResult))]
public sealed class TestBackupCommand : BackupSelectionCmdletBase
{
    /// <summary>Quick (every chunk exists at its size), Full (every chunk read, authenticated and hash-checked) or Restore (a restore drill).</summary>
    [Parameter]
    public TestLevel Level { get; set; } = TestLevel.Quick;

    /// <summary>Restore drills of logical backups: the server to restore onto (a connection string to any database on it); by default the server the backup was taken from. Refused for a physical backup, whose drill runs a scratch cluster on this machine.</summary>
    [Parameter]
    public string? TargetServer { get; set; }

    /// <summary>Restore drills: an incoming-webhook URL (Slack, Teams, …) that gets a message when the drill fails (and when it passes, with -NotifyOnSuccess).</summary>
    [Parameter]
    public Uri? NotifyWebhook { get; set; }

    /// <summary>Restore drills: also report a passed drill to -NotifyWebhook.</summary>
    [Parameter]
    public SwitchParameter NotifyOnSuccess { get; set; }

    /// <summary>Restore drills: the recovery-time objective the measured restore must meet (default 30 minutes).</summary>
    [Parameter]
    public TimeSpan RtoTarget { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Folder holding pg_restore, pg_ctl and pg_amcheck to prefer over PATH and the usual install folders.</summary>
    [Parameter]
    public string? PgBinDirectory { get; set; }

    /// <summary>Restore drills of physical backups: the folder the scratch cluster is made in (default: the temp folder).</summary>
    [Parameter]
    public string? ScratchDirectory { get; set; }

    /// <summary>Restore drills of physical backups: the WAL program the scratch cluster's restore_command calls (default: bin/backuptools-wal in the module folder).</summary>
    [Parameter]
    public string? WalProgram { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var (id, given) = SelectedBackup;
        LogBackupId = id;
        var resolved = Resolve(given);
        var opened = Open(resolved);
        if (Level == TestLevel.Restore)
        {
            Drill(opened, resolved.Location, id, given);
            return;
        }
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

    private void Drill(BackupRepository repository, RepositoryLocation location, string id, string given)
    {
        var request = new RestoreDrillRequest
        {
            TargetServer = TargetServer,
            RtoTarget = RtoTarget,
            PgBinDirectory = ProviderPath(PgBinDirectory),
            Location = location,
            WalProgram = ProviderPath(WalProgram) ?? Infrastructure.WalProgram.DefaultPath,
            ScratchDirectory = ProviderPath(ScratchDirectory),
        };
        if (TryRunEngine((progress, log, ct) => BackupNotifications.RunDrillAsync(NotifyWebhook, NotifyOnSuccess, id, given, async () =>
            {
                var manifest = await repository.LoadManifestAsync(id, ct).ConfigureAwait(false);
                return await RestoreDrill.RunAsync(repository, manifest, request, progress, log, ct).ConfigureAwait(false);
            }, log, ct), out var drill))
        {
            WriteObject(OutputMapper.ToTestResult(id, drill));
        }
    }

    private string? ProviderPath(string? path) => path is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
}
