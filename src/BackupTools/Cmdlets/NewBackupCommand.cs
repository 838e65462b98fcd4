using System.Management.Automation;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>New-Backup: takes one backup of a database and/or configuration files into one or more repositories at once.</summary>
[Cmdlet(VerbsCommon.New, "Backup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(BackupInfo))]
public sealed class NewBackupCommand : RepositoryCmdletBase
{
    /// <summary>Destination repositories (registered names, paths or URIs): the source is read once and written to each; a failure in one is reported without losing the others.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[] Repository { get; set; } = [];

    /// <summary>The database: a postgresql:// URI, libpq key=value or Npgsql Key=Value connection string.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Database { get; set; }

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

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var request = new BackupJobRequest
        {
            Database = Database is null ? null : new DatabaseBackupRequest
            {
                ConnectionString = Database,
                PgBinDirectory = PgBinDirectory is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(PgBinDirectory),
                IncludeRoles = !NoRoles,
                Method = Method == BackupMethod.Physical ? DatabaseBackupMethod.Physical : DatabaseBackupMethod.Logical,
            },
            ConfigPaths = ConfigPath.Select(p => SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)).ToList(),
            Tags = Tag,
            Verify = Verify switch { VerifyMode.Quick => VerifyLevel.Quick, VerifyMode.Full => VerifyLevel.Full, _ => null },
        };
        var what = "Back up " + string.Join(" and ", DescribeSources());
        var destinations = new List<(ResolvedRepository Resolved, BackupRepository Opened)>();
        foreach (var given in Repository)
        {
            var resolved = Resolve(given);
            if (!ShouldProcess(resolved.Location.Uri, what)) continue;
            if (TryOpen(resolved, out var opened)) destinations.Add((resolved, opened));
        }
        if (destinations.Count == 0) return;
        if (!TryRunEngine((progress, log, ct) => BackupJob.RunAsync(destinations.Select(d => d.Opened).ToList(), request, progress, log, ct), out var outcomes))
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
        if (ConfigPath.Length > 0) yield return "configuration " + string.Join(", ", ConfigPath);
    }
}
