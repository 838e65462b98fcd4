using System.Management.Automation;
using BackupTools.Core.Operations;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>Enable-WalArchiving: points a cluster's archive_command at the module's WAL program and checks a segment arrives.</summary>
[Cmdlet(VerbsLifecycle.Enable, "WalArchiving", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(WalArchivingResult))]
public sealed class EnableWalArchivingCommand : RepositoryCmdletBase
{
    /// <summary>The cluster: a superuser connection string; the server runs on this machine.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Database { get; set; } = "";

    /// <summary>The repository the WAL goes to: a registered name, path or URI.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    /// <summary>Where to write the WAL archive config (default: backuptools-wal.json beside the data directory).</summary>
    [Parameter]
    public string? ConfigPath { get; set; }

    /// <summary>The WAL program to call (default: bin/backuptools-wal in the module folder).</summary>
    [Parameter]
    public string? WalProgram { get; set; }

    /// <summary>Seconds to wait for the forced WAL switch to arrive in the repository.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSeconds { get; set; } = 60;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var resolved = Resolve(Repository);
        if (!ShouldProcess(DatabaseTarget.FromConnectionString(Database).ToString(), $"Archive WAL into {resolved.Location.Uri}")) return;
        var repository = Open(resolved);
        var request = new WalArchivingRequest
        {
            ConnectionString = Database,
            WalProgram = WalProgram is null ? Infrastructure.WalProgram.DefaultPath : SessionState.Path.GetUnresolvedProviderPathFromPSPath(WalProgram),
            ConfigPath = ConfigPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ConfigPath),
            Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
        };
        var outcome = RunEngine((_, log, ct) => WalArchiving.EnableAsync(repository, resolved.Location, request, log, ct));
        WriteObject(new WalArchivingResult
        {
            Server = outcome.Server,
            Repository = resolved.Given,
            ConfigPath = outcome.ConfigPath,
            ArchiveCommand = outcome.ArchiveCommand,
            RestartRequired = outcome.RestartRequired,
            VerifiedSegment = outcome.VerifiedSegment,
        });
    }
}
