using System.Management.Automation;
using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Sources.ConfigFiles;
using BackupTools.Core.Sources.ObjectStorage;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>
/// Restore-Backup: puts a backup's database back, over the source database (or -TargetDatabase), or into a new
/// database with -AsDatabase. The dump is read and verified in full before the target is touched.
/// -Component Storage puts the bucket objects back to the recorded endpoint or -TargetStorage; -Component Config writes
/// the configuration files under -ConfigDestination, and nowhere else.
/// </summary>
[Cmdlet(VerbsData.Restore, "Backup", DefaultParameterSetName = BackupSelector.ById,
    SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(RestoreResult))]
public sealed class RestoreBackupCommand : BackupSelectionCmdletBase
{
    /// <summary>The parts to restore, in this order: Database, Storage, Config. Database by default (Config when only -ConfigDestination is given).</summary>
    [Parameter]
    public BackupComponent[] Component { get; set; } = [BackupComponent.Database];

    /// <summary>Server and database to restore to; by default the source recorded in the backup (password from PGPASSWORD).</summary>
    [Parameter]
    public string? TargetDatabase { get; set; }

    /// <summary>Restore into a new database of this name on the target server (it must not exist).</summary>
    [Parameter]
    public string? AsDatabase { get; set; }

    /// <summary>Only these schemas.</summary>
    [Parameter]
    public string[] Schema { get; set; } = [];

    /// <summary>Only these tables (name or schema.name).</summary>
    [Parameter]
    public string[] Table { get; set; } = [];

    /// <summary>Sessions: COPY sessions loading the rows and pg_restore -j for indexes (0 = processor count, at least 2; 1 = one streamed pg_restore).</summary>
    [Parameter]
    [ValidateRange(0, 64)]
    public int Jobs { get; set; }

    /// <summary>Folder holding pg_restore to prefer over PATH and the usual install folders.</summary>
    [Parameter]
    public string? PgBinDirectory { get; set; }

    /// <summary>Do not create the roles recorded in the backup.</summary>
    [Parameter]
    public SwitchParameter NoRoles { get; set; }

    /// <summary>Do not back up the database (or, with -Force, the configuration files) about to be overwritten first (by default a restore point tagged restore-point is taken).</summary>
    [Parameter]
    public SwitchParameter NoRestorePoint { get; set; }

    /// <summary>Do not check the restored database against the backup before putting it in service.</summary>
    [Parameter]
    public SwitchParameter SkipCheck { get; set; }

    /// <summary>The folder the configuration files are written under (created when missing); nothing is written outside it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigDestination { get; set; }

    /// <summary>Only these configuration entries and what is below them (names as in the backup, e.g. "api/kong.yml").</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Replace configuration files and links that already exist under -ConfigDestination.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The S3-compatible endpoint objects are restored to; default the endpoint the backup recorded.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TargetStorage { get; set; }

    /// <summary>The target storage's access key id (user name) and secret key (password); default AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.</summary>
    [Parameter]
    [Credential]
    [Alias("TargetStorageCredential")]
    public PSCredential? StorageCredential { get; set; }

    /// <summary>The target storage's signing region; default the recorded one (same endpoint), else AWS_REGION or us-east-1.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [Alias("TargetStorageRegion")]
    public string? StorageRegion { get; set; }

    /// <summary>Only these buckets of the backup.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Bucket { get; set; } = [];

    /// <summary>Only objects whose key starts with this.</summary>
    [Parameter]
    public string Prefix { get; set; } = "";

    /// <summary>Restore the one selected bucket under this name (created when missing).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TargetBucket { get; set; }

    /// <summary>Skip objects the target already holds identically (size, headers, metadata and content).</summary>
    [Parameter]
    public SwitchParameter Delta { get; set; }

    /// <summary>Also delete target objects (in the restored buckets, under -Prefix) that the backup does not hold; each deletion is confirmed.</summary>
    [Parameter]
    public SwitchParameter Mirror { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var (id, given) = SelectedBackup;
        var opened = Open(Resolve(given));
        LogBackupId = id;
        if (!TryRunEngine((_, _, ct) => opened.LoadManifestAsync(id, ct), out var manifest)) return;
        var components = MyInvocation.BoundParameters.ContainsKey(nameof(Component)) || ConfigDestination is null
            ? Component
            : [BackupComponent.Config];
        if (components.Contains(BackupComponent.Database)) RestoreDatabase(opened, manifest, id);
        if (components.Contains(BackupComponent.Storage)) RestoreStorage(opened, manifest, id);
        if (components.Contains(BackupComponent.Config)) RestoreConfig(opened, manifest, id);
    }

    private void RestoreDatabase(BackupRepository opened, Manifest manifest, string id)
    {
        var target = DescribeTarget(manifest);
        var action = AsDatabase is null ? $"Restore backup {id} over {target}" : $"Restore backup {id} into new {target}";
        if (!ShouldProcess(action, action + "?", "Restore-Backup")) return;
        var request = new DatabaseRestoreRequest
        {
            TargetConnectionString = TargetDatabase,
            AsDatabase = AsDatabase,
            Schemas = Schema,
            Tables = Table,
            Jobs = Jobs,
            PgBinDirectory = PgBinDirectory is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(PgBinDirectory),
            RestoreRoles = !NoRoles,
            TakeRestorePoint = !NoRestorePoint,
            Verify = !SkipCheck,
        };
        if (!TryRunEngine((progress, log, ct) => LogicalRestore.RunAsync(opened, manifest, request, progress, log, ct), out var outcome)) return;
        WriteObject(OutputMapper.ToRestoreResult(id, outcome));
        if (!outcome.Success)
        {
            WriteEngineError(new Core.BackupToolsException(Core.BackupErrorKind.Corrupt,
                $"The database restored from backup {id} does not match the backup: {string.Join(" ", outcome.Errors)}", id));
        }
    }

    /// <summary>Restores the storage objects; with -Mirror, first lists the target objects the backup lacks and confirms each deletion.</summary>
    private void RestoreStorage(BackupRepository opened, Manifest manifest, string id)
    {
        var recorded = manifest.Components.FirstOrDefault(c => c.Type == ObjectStorageBackup.ComponentType)?.Source.GetValueOrDefault("endpoint");
        var endpoint = TargetStorage ?? recorded ?? "(none recorded)";
        var buckets = TargetBucket ?? (Bucket.Length > 0 ? string.Join(", ", Bucket) : "every bucket");
        var action = $"Restore the storage objects of backup {id} to {endpoint} ({buckets}{(Prefix.Length > 0 ? $", prefix '{Prefix}'" : "")})";
        if (!ShouldProcess(action, action + "?", "Restore-Backup")) return;
        var request = new StorageRestoreRequest
        {
            Target = StorageEndpoint.From(TargetStorage, StorageCredential, StorageRegion),
            Buckets = Bucket,
            Prefix = Prefix,
            TargetBucket = TargetBucket,
            Delta = Delta,
        };
        if (Mirror)
        {
            if (!TryRunEngine((_, _, ct) => ObjectStorageRestore.FindExtraObjectsAsync(manifest, request, ct), out var extra)) return;
            var confirmed = extra.Where(o => ShouldProcess($"{o.Key} in bucket {o.Bucket} at {endpoint}", "Delete (not in backup " + id + ")")).ToList();
            request = request with { Deletions = confirmed };
        }
        if (TryRunEngine((progress, log, ct) => ObjectStorageRestore.RunAsync(opened, manifest, request, progress, log, ct), out var outcome))
            WriteObject(OutputMapper.ToRestoreResult(id, outcome));
    }

    private void RestoreConfig(BackupRepository opened, Manifest manifest, string id)
    {
        if (ConfigDestination is null)
        {
            WriteEngineError(new BackupToolsException(BackupErrorKind.InvalidArgument,
                "Restoring the Config component needs -ConfigDestination, the folder to write the files under.", nameof(ConfigDestination)));
            return;
        }
        var request = new ConfigRestoreRequest
        {
            Destination = SessionState.Path.GetUnresolvedProviderPathFromPSPath(ConfigDestination),
            Force = Force,
            Paths = Path,
            TakeRestorePoint = !NoRestorePoint,
        };
        var action = $"Restore the configuration files of backup {id} under {request.Destination}" + (Force ? ", replacing existing files" : "");
        if (!ShouldProcess(action, action + "?", "Restore-Backup")) return;
        if (TryRunEngine((progress, log, ct) => ConfigRestore.RunAsync(opened, manifest, request, progress, log, ct), out var outcome))
            WriteObject(OutputMapper.ToRestoreResult(id, outcome));
    }

    /// <summary>The target connection's database, else the source the backup recorded; renamed by -AsDatabase.</summary>
    private DatabaseTarget DescribeTarget(Manifest manifest)
    {
        var target = TargetDatabase is not null
            ? DatabaseTarget.FromConnectionString(TargetDatabase)
            : DatabaseTarget.FromSource(manifest.Components.FirstOrDefault(c => c.Type == "database"));
        return AsDatabase is null ? target : target with { Database = AsDatabase };
    }
}
