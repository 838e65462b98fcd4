using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using BackupTools.Core;
using BackupTools.Core.Configuration;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Infrastructure;

namespace BackupTools.Completers;

/// <summary>
/// Completes -Id with the backup ids (newest first) of the repository in -Repository, or of the only registered
/// repository. It never prompts: the passphrase must come from $env:BACKUPTOOLS_PASSPHRASE or the registration's key
/// file; otherwise, or when the repository does not answer within a few seconds, there is nothing to offer.
/// </summary>
public sealed class BackupIdCompleter : IArgumentCompleter
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var ids = ListIds(fakeBoundParameters);
            var prefix = CompletionText.Unquote(wordToComplete);
            return ids.Where(id => id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(id => new CompletionResult(id, id, CompletionResultType.ParameterValue, id))
                .ToList();
        }
        catch (Exception e) when (e is BackupToolsException or OperationCanceledException or IOException)
        {
            return [];
        }
    }

    private static IReadOnlyList<string> ListIds(IDictionary bound)
    {
        var registry = RepositoryRegistry.OpenDefault();
        var given = bound["Repository"] switch
        {
            string one => one,
            IEnumerable many => many.Cast<object>().Select(o => o?.ToString()).FirstOrDefault(),
            _ => registry.List() is { Count: 1 } only ? only[0].Name : null,
        };
        if (string.IsNullOrEmpty(given)) return [];
        var registration = registry.Find(given);
        var passphrase = Environment.GetEnvironmentVariable(RepositoryCmdletBase.PassphraseVariable);
        if (string.IsNullOrEmpty(passphrase) && registration?.KeyFile is { } keyFile && File.Exists(keyFile))
            passphrase = File.ReadLines(keyFile).FirstOrDefault();
        if (string.IsNullOrEmpty(passphrase)) return [];
        var location = BlobStoreFactory.Parse(registration?.Repository ?? given,
            bound["Endpoint"] as string ?? registration?.Endpoint, bound["Region"] as string ?? registration?.Region);
        using var cancel = new CancellationTokenSource(Timeout);
        return Task.Run(async () =>
        {
            using var store = BlobStoreFactory.Open(location);
            using var repository = await BackupRepository.OpenAsync(store, passphrase, cancel.Token).ConfigureAwait(false);
            var manifests = await repository.ListManifestsAsync(cancel.Token).ConfigureAwait(false);
            // Newest first in Get-Backup's order (start time, then id): ids begin with the start time to the second
            // only, so two backups started within one second would otherwise come in the order of their random suffix.
            return manifests.OrderByDescending(m => m.StartTime).ThenByDescending(m => m.Id, StringComparer.Ordinal).Select(m => m.Id).ToList();
        }, cancel.Token).GetAwaiter().GetResult();
    }
}
