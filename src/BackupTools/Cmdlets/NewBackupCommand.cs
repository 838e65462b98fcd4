using System.Management.Automation;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>New-Backup: takes a backup of a database into one or more repositories.</summary>
[Cmdlet(VerbsCommon.New, "Backup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(BackupInfo))]
public sealed class NewBackupCommand : OperationCmdletBase
{
    /// <summary>Destination repositories (registered names, paths or URIs), backed up to one after another.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[] Repository { get; set; } = [];

    /// <summary>The database: a postgresql:// URI, libpq key=value or Npgsql Key=Value connection string.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Database { get; set; } = "";

    /// <summary>How the database is read; Logical (pg_dump) for now.</summary>
    [Parameter]
    public BackupMethod Method { get; set; } = BackupMethod.Logical;

    /// <summary>Labels stored with the backup.</summary>
    [Parameter]
    public string[] Tag { get; set; } = [];

    /// <summary>Check the backup once it is committed.</summary>
    [Parameter]
    public VerifyMode Verify { get; set; } = VerifyMode.None;

    /// <summary>Folder holding pg_dump to prefer over PATH and the usual install folders.</summary>
    [Parameter]
    public string? PgBinDirectory { get; set; }

    /// <summary>Do not dump roles (pg_dumpall --roles-only).</summary>
    [Parameter]
    public SwitchParameter NoRoles { get; set; }

    /// <summary>An incoming-webhook URL (Slack, Teams) told about every failed run; the URL is never logged.</summary>
    [Parameter]
    public Uri? NotifyWebhook { get; set; }

    /// <summary>Tell the webhook about successful runs too.</summary>
    [Parameter]
    public SwitchParameter NotifyOnSuccess { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var request = new DatabaseBackupRequest
        {
            ConnectionString = Database,
            Tags = Tag,
            PgBinDirectory = PgBinDirectory is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(PgBinDirectory),
            IncludeRoles = !NoRoles,
        };
        foreach (var given in Repository)
        {
            var repository = Resolve(given);
            if (!ShouldProcess(repository.Location.Uri, $"Back up {DatabaseTarget.FromConnectionString(Database)}")) continue;
            var opened = Open(repository);
            if (TryRunEngine((progress, log, ct) => BackupNotifications.RunAsync(NotifyWebhook, NotifyOnSuccess, Database, given,
                    () => BackupAndVerify(opened, request, progress, log, ct), log, ct), out var manifest))
            {
                WriteObject(OutputMapper.ToBackupInfo(manifest, repository));
            }
        }
    }

    private async Task<Manifest> BackupAndVerify(BackupRepository repository, DatabaseBackupRequest request,
        IProgress<Core.ProgressInfo> progress, Core.IBackupLog log, CancellationToken ct)
    {
        var manifest = await LogicalBackup.RunAsync(repository, request, progress, log, ct).ConfigureAwait(false);
        if (Verify == VerifyMode.None) return manifest;
        var level = Verify == VerifyMode.Full ? VerifyLevel.Full : VerifyLevel.Quick;
        var checks = await repository.VerifyAsync(manifest, level, progress, ct).ConfigureAwait(false);
        var record = OutputMapper.ToRecord(level, checks);
        manifest.Verifications.Add(record);
        foreach (var error in record.Errors) log.Write(Core.LogLevel.Warning, $"Verification of {manifest.Id} failed: {error}");
        return manifest;
    }
}
