using System.Management.Automation;
using BackupTools.Core;
using BackupTools.Core.Configuration;
using BackupTools.Core.Reports;

namespace BackupTools.Infrastructure;

/// <summary>
/// Base of Get-BackupStatus and Export-BackupReport: -Repository (default: every registered repository) and
/// -RpoTarget, and reading each repository's status. A repository that cannot be read is a Critical status (and a
/// non-terminating error), so monitoring still sees it.
/// </summary>
public abstract class StatusCmdletBase : RepositoryCmdletBase
{
    /// <summary>Repositories (registered names, paths or URIs); every registered repository when omitted.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[]? Repository { get; set; }

    /// <summary>The recovery point objective: the newest backup of every source must be younger than this.</summary>
    [Parameter]
    public TimeSpan RpoTarget { get; set; } = StatusPolicy.DefaultRpoTarget;

    /// <summary>The status of each repository, in the order given (registered ones by name).</summary>
    internal IReadOnlyList<RepositoryStatus> ReadStatuses()
    {
        var policy = new StatusPolicy { RpoTarget = RpoTarget };
        RunQuick(() => { policy.Validate(); return policy; });
        var names = Repository ?? RunQuick(() => RepositoryRegistry.OpenDefault().List().Select(r => r.Name).ToArray());
        if (names.Length == 0)
            ThrowError(BackupErrorKind.InvalidArgument, "No -Repository given and no repository is registered (see Register-BackupRepository).", "Repository");
        var now = DateTimeOffset.UtcNow;
        var statuses = new List<RepositoryStatus>();
        foreach (var name in names)
        {
            var repository = Resolve(name);
            var passphrase = ResolvePassphrase(repository.Registration);
            var (status, error) = RunEngine(async (_, _, ct) =>
            {
                try
                {
                    return (await StatusReader.ReadAsync(repository.Location, passphrase, name, policy, now, ct,
                            ScheduleStatusSource.ForRepository(name)).ConfigureAwait(false),
                        (BackupToolsException?)null);
                }
                catch (BackupToolsException e)
                {
                    return (StatusCalculator.Unavailable(name, repository.Location.Uri, e.Message, policy), e);
                }
            });
            if (error is not null) WriteEngineError(error);
            statuses.Add(status);
        }
        return statuses;
    }
}
