using System.Management.Automation;
using BackupTools.Core;
using BackupTools.Core.Repository;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>Get-Backup: lists the backups in a repository, oldest first (newest last).</summary>
[Cmdlet(VerbsCommon.Get, "Backup")]
[OutputType(typeof(BackupInfo))]
public sealed class GetBackupCommand : RepositoryCmdletBase
{
    /// <summary>The repository: a registered name, path or URI.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    /// <summary>Only these backup ids; an unknown id is an error naming it.</summary>
    [Parameter(Position = 1)]
    public string[]? Id { get; set; }

    /// <summary>Only backups carrying every one of these tags.</summary>
    [Parameter]
    public string[]? Tag { get; set; }

    /// <summary>Only the newest backup that passes the other filters.</summary>
    [Parameter]
    public SwitchParameter Latest { get; set; }

    /// <summary>Only backups started before this time.</summary>
    [Parameter]
    public DateTimeOffset? Before { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var repository = Resolve(Repository);
        var opened = Open(repository);
        if (Latest && Id is null)
        {
            // Opens the newest manifests only, not every one.
            var latest = RunEngine((_, _, ct) => opened.FindLatestManifestAsync(Matches, ct));
            if (latest is not null) WriteObject(OutputMapper.ToBackupInfo(latest, repository));
            return;
        }
        var manifests = RunEngine((_, _, ct) => opened.ListManifestsAsync(ct));
        foreach (var missing in (Id ?? []).Where(id => manifests.All(m => m.Id != id)))
        {
            WriteEngineError(new BackupToolsException(BackupErrorKind.NotFound,
                $"There is no backup '{missing}' in repository {repository.Location.Uri}.", missing));
        }
        var selected = manifests
            .Where(m => Id is null || Id.Contains(m.Id, StringComparer.Ordinal))
            .Where(Matches)
            .OrderBy(m => m.StartTime).ThenBy(m => m.Id, StringComparer.Ordinal)
            .ToList();
        if (Latest && selected.Count > 1) selected = selected.GetRange(selected.Count - 1, 1);
        WriteObject(selected.Select(m => OutputMapper.ToBackupInfo(m, repository)), enumerateCollection: true);
    }

    /// <summary>The -Tag and -Before filters.</summary>
    private bool Matches(Manifest m)
        => (Tag is null || Tag.All(t => m.Tags.Contains(t, StringComparer.OrdinalIgnoreCase))) && (Before is null || m.StartTime < Before.Value);
}
