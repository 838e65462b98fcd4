using System.Management.Automation;
using BackupTools.Core.Operations;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>Get-WalArchiveStatus: the newest archived segment, lag, gaps and the recoverable window of a repository.</summary>
[Cmdlet(VerbsCommon.Get, "WalArchiveStatus")]
[OutputType(typeof(WalArchiveInfo))]
public sealed class GetWalArchiveStatusCommand : RepositoryCmdletBase
{
    /// <summary>The repository: a registered name, path or URI.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    /// <summary>The archiving cluster, to compare its current segment and pg_stat_archiver with the repository.</summary>
    [Parameter]
    public string? Database { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var resolved = Resolve(Repository);
        var repository = Open(resolved);
        var status = RunEngine((_, _, ct) => WalArchiveStatus.ReadAsync(repository, Database, ct));
        WriteObject(new WalArchiveInfo
        {
            Repository = resolved.Given,
            Segments = status.SegmentCount,
            StoredBytes = status.StoredBytes,
            LastArchived = status.LastArchived,
            LastArchivedTime = status.LastArchivedTime,
            Lag = status.Lag,
            ServerSegment = status.ServerSegment,
            SegmentsBehind = status.SegmentsBehind,
            ArchiverFailure = status.ArchiverFailure,
            Gaps = status.Gaps.ToArray(),
            OldestRecoverableBackup = status.OldestRecoverableBackup,
            WindowStart = status.WindowStart,
            WindowEnd = status.WindowEnd,
            Healthy = status.WindowStart is not null && status.Gaps.Count == 0 && status.ArchiverFailure is null,
        });
    }
}
