using System.Management.Automation;
using BackupTools.Core.Operations;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>
/// Invoke-PointInTimeRecovery: restores a data directory from the newest physical backup before the target, after
/// proving every WAL segment to the target is archived, and sets up recovery to a time, LSN or restore point.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "PointInTimeRecovery", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ByTime)]
[OutputType(typeof(RestoreResult))]
public sealed class InvokePointInTimeRecoveryCommand : RepositoryCmdletBase
{
    private const string ByTime = "Time";
    private const string ByLsn = "Lsn";
    private const string ByName = "Name";
    private const string ToLatest = "Latest";

    /// <summary>The repository: a registered name, path or URI.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    /// <summary>Recover to this time: every transaction committed up to it, none after.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByTime)]
    public DateTimeOffset TargetTime { get; set; }

    /// <summary>Recover to this WAL location (e.g. 0/3000060).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByLsn)]
    [ValidateNotNullOrEmpty]
    public string TargetLsn { get; set; } = "";

    /// <summary>Recover to a restore point made with pg_create_restore_point().</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByName)]
    [ValidateNotNullOrEmpty]
    public string TargetName { get; set; } = "";

    /// <summary>Recover as far as the archive goes (every archived WAL segment; e.g. a lost host).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ToLatest)]
    public SwitchParameter Latest { get; set; }

    /// <summary>The data directory to create (missing or empty, unless -Force).</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string DataDirectory { get; set; } = "";

    /// <summary>Start the server, wait until it reaches the target and promotes, and report the point reached.</summary>
    [Parameter]
    public SwitchParameter Start { get; set; }

    /// <summary>The port the recovered server listens on (default: the backup's).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int? Port { get; set; }

    /// <summary>Replace the contents of a non-empty data directory.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Restore this physical backup instead of the newest one before the target.</summary>
    [Parameter]
    public string? BackupId { get; set; }

    /// <summary>The OS user that owns and runs the recovered server (default: postgres when run as root, else the current user).</summary>
    [Parameter]
    public string? ServerUser { get; set; }

    /// <summary>Folder with the server binaries (pg_ctl) to prefer.</summary>
    [Parameter]
    public string? PgBinDirectory { get; set; }

    /// <summary>The WAL program restore_command calls (default: bin/backuptools-wal in the module folder).</summary>
    [Parameter]
    public string? WalProgram { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var resolved = Resolve(Repository);
        var target = RunQuick(() => ParameterSetName switch
        {
            ByLsn => RecoveryTarget.AtLsn(TargetLsn),
            ByName => RecoveryTarget.AtName(TargetName),
            ToLatest => RecoveryTarget.ToLatest(),
            _ => RecoveryTarget.AtTime(TargetTime),
        });
        var dataDirectory = SessionState.Path.GetUnresolvedProviderPathFromPSPath(DataDirectory);
        if (!ShouldProcess(dataDirectory, $"Recover to {target} from {resolved.Location.Uri}")) return;
        var repository = Open(resolved);
        var request = new PointInTimeRecoveryRequest
        {
            Target = target,
            DataDirectory = dataDirectory,
            WalProgram = WalProgram is null ? Infrastructure.WalProgram.DefaultPath : SessionState.Path.GetUnresolvedProviderPathFromPSPath(WalProgram),
            BackupId = BackupId,
            Force = Force,
            Start = Start,
            Port = Port,
            ServerUser = ServerUser,
            PgBinDirectory = PgBinDirectory is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(PgBinDirectory),
        };
        var outcome = RunEngine((progress, log, ct) => PointInTimeRecovery.RunAsync(repository, resolved.Location, request, progress, log, ct));
        foreach (var error in outcome.Errors) WriteWarning(error);
        WriteObject(new RestoreResult
        {
            BackupId = outcome.BackupId,
            Success = outcome.Success,
            Errors = outcome.Errors.ToArray(),
            Target = Start ? $"localhost:{Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(configured port)"}" : "",
            BytesRestored = outcome.BytesRestored,
            Duration = outcome.Duration,
            DataDirectory = outcome.DataDirectory,
            RecoveryTarget = outcome.Target,
            PointReached = outcome.StopMessage,
            ReachedTime = outcome.ReachedTime,
            ReachedLsn = outcome.ReachedLsn,
            Timeline = outcome.Timeline,
        });
    }
}
