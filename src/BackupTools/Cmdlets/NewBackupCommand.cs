using System.Management.Automation;
using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Sources.ObjectStorage;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>
/// New-Backup: takes one backup of a database, the storage buckets of an S3-compatible endpoint and/or configuration
/// files into one or more repositories at once (database first, then storage, then configuration).
/// </summary>
[Cmdlet(VerbsCommon.New, "Backup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(BackupInfo))]
public sealed class NewBackupCommand : OperationCmdletBase
{
    /// <summary>Destination repositories (registered names, paths or URIs): the source is read once and written to each; a failure in one is reported without losing the others.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[] Repository { get; set; } = [];

    /// <summary>The database: a postgresql:// URI, libpq key=value or Npgsql Key=Value connection string.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Database { get; set; }

    /// <summary>The S3-compatible endpoint whose buckets are backed up (Supabase Storage's S3 endpoint, AWS S3, MinIO).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Storage { get; set; }

    /// <summary>The storage access key id (user name) and secret key (password); default AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.</summary>
    [Parameter]
    [Credential]
    public PSCredential? StorageCredential { get; set; }

    /// <summary>The storage signing region (a Supabase project's region); default AWS_REGION, else us-east-1.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StorageRegion { get; set; }

    /// <summary>Only these buckets; by default every bucket the keys can list.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Bucket { get; set; } = [];

    /// <summary>Read every storage object again instead of reusing those unchanged since the previous backup (same key, size and ETag).</summary>
    [Parameter]
    public SwitchParameter Full { get; set; }

    /// <summary>S3 storage class for the backup's chunks in S3 repositories (and its manifest, for classes read at once); a local repository ignores it.</summary>
    [Parameter]
    [ValidateSet("STANDARD", "STANDARD_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE", IgnoreCase = true)]
    public string? StorageClass { get; set; }

    /// <summary>Configuration files and folders (env files, kong.yml, compose files, certificates): walked without following links, taken after the database.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] ConfigPath { get; set; } = [];

    /// <summary>How the database is read: Logical (pg_dump of one database) or Physical (base backup of the cluster, for point-in-time recovery).</summary>
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
        var refusal = !DescribeSources().Any() ? "Nothing to back up: give -Database, -Storage or -ConfigPath."
            : Storage is null && (Bucket.Length > 0 || StorageCredential is not null || StorageRegion is not null || Full)
                ? "-Bucket, -StorageCredential, -StorageRegion and -Full go with -Storage <endpoint>."
                : null;
        if (refusal is not null)
        {
            WriteEngineError(new BackupToolsException(BackupErrorKind.InvalidArgument, refusal, null));
            return;
        }
        var request = new BackupJobRequest
        {
            Database = Database is null ? null : new DatabaseBackupRequest
            {
                ConnectionString = Database,
                PgBinDirectory = PgBinDirectory is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(PgBinDirectory),
                IncludeRoles = !NoRoles,
                Method = Method == BackupMethod.Physical ? DatabaseBackupMethod.Physical : DatabaseBackupMethod.Logical,
            },
            Storage = Storage is null ? null : new StorageBackupRequest
            {
                Source = StorageEndpoint.From(Storage, StorageCredential, StorageRegion),
                Buckets = Bucket,
                Full = Full,
            },
            ConfigPaths = ConfigPath.Select(p => SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)).ToList(),
            Tags = Tag,
            Verify = Verify switch { VerifyMode.Quick => VerifyLevel.Quick, VerifyMode.Full => VerifyLevel.Full, _ => null },
        };
        var what = "Back up " + string.Join(" and ", DescribeSources());
        var destinations = new List<(ResolvedRepository Resolved, BackupRepository Opened)>();
        // Repositories that could not be opened (each already written as an error) still count in the webhook message.
        var unopened = new List<string>();
        var asked = 0;
        foreach (var given in Repository)
        {
            var resolved = Resolve(given);
            if (StorageClass is not null) resolved = resolved with { Location = RunQuick(() => resolved.Location.WithStorageClass(StorageClass)) };
            if (!ShouldProcess(resolved.Location.Uri, what)) continue;
            asked++;
            if (TryOpen(resolved, out var opened, out var openError)) destinations.Add((resolved, opened));
            else unopened.Add($"{resolved.Location.Uri}: {openError?.Message}");
        }
        if (asked == 0 || (destinations.Count == 0 && NotifyWebhook is null)) return;
        if (!TryRunEngine((progress, log, ct) => BackupNotifications.RunAsync(NotifyWebhook, NotifyOnSuccess, string.Join(" and ", DescribeSources()), Repository, unopened,
                () => destinations.Count == 0
                    ? Task.FromResult<IReadOnlyList<BackupJobOutcome>>(Array.Empty<BackupJobOutcome>())
                    : BackupJob.RunAsync(destinations.Select(d => d.Opened).ToList(), request, progress, log, ct), log, ct), out var outcomes))
            return;
        for (var i = 0; i < outcomes.Count; i++)
        {
            if (outcomes[i].Error is { } error) WriteEngineError(error);
            else WriteObject(OutputMapper.ToBackupInfo(outcomes[i].Manifest!, destinations[i].Resolved));
        }
    }

    /// <summary>What is backed up, for the confirmation prompt (never a password).</summary>
    private IEnumerable<string> DescribeSources()
    {
        if (Database is not null) yield return DatabaseTarget.FromConnectionString(Database).ToString();
        if (Storage is not null) yield return $"the buckets at {Storage}";
        if (ConfigPath.Length > 0) yield return "configuration " + string.Join(", ", ConfigPath);
    }
}
