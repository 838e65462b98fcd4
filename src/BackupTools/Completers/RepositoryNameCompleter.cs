using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using BackupTools.Core.Configuration;

namespace BackupTools.Completers;

/// <summary>Completes -Repository with the names of registered repositories (Register-BackupRepository).</summary>
public sealed class RepositoryNameCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IReadOnlyList<RepositoryRegistration> registrations;
        try
        {
            registrations = RepositoryRegistry.OpenDefault().List();
        }
        catch (Core.BackupToolsException)
        {
            return [];
        }
        var prefix = CompletionText.Unquote(wordToComplete);
        return registrations
            .Where(r => r.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(r => new CompletionResult(CompletionText.Quote(r.Name), r.Name, CompletionResultType.ParameterValue, r.Repository))
            .ToList();
    }
}

/// <summary>Quoting for completion results.</summary>
internal static class CompletionText
{
    /// <summary>The word without the quotes the user may have started with.</summary>
    public static string Unquote(string word) => word.Trim('\'', '"');

    /// <summary>The value, single-quoted when it holds characters PowerShell would split or expand.</summary>
    public static string Quote(string value)
        => value.Any(c => char.IsWhiteSpace(c) || c is '$' or '\'' or '"' or '`' or ';' or '(' or ')' or '{' or '}' or ',' or '&' or '|' or '@' or '#')
            ? "'" + value.Replace("'", "''") + "'"
            : value;
}
