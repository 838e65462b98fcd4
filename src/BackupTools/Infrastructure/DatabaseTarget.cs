using System.Globalization;
using System.Text.RegularExpressions;
using BackupTools.Core.Repository;

namespace BackupTools.Infrastructure;

/// <summary>
/// A database named for confirmation prompts ("database 'app' on db1:5432"), never with its password.
/// It does not validate: the engine parses connection strings and reports bad ones.
/// </summary>
internal sealed partial record DatabaseTarget(string? Host, string? Port, string? Database)
{
    /// <summary>Host, port and database from a postgresql:// URI, libpq key=value or Npgsql Key=Value string.</summary>
    public static DatabaseTarget FromConnectionString(string connectionString)
    {
        if (Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) && uri.Scheme is "postgresql" or "postgres")
        {
            return new DatabaseTarget(uri.Host,
                uri.Port > 0 ? uri.Port.ToString(CultureInfo.InvariantCulture) : null,
                Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')));
        }
        var pairs = KeyValue().Matches(connectionString)
            .GroupBy(m => m.Groups["key"].Value.Replace(" ", "").ToLowerInvariant())
            .ToDictionary(g => g.Key, g => g.Last().Groups["value"].Value.Trim('\''));
        return new DatabaseTarget(Pick(pairs, "host", "server"), Pick(pairs, "port"), Pick(pairs, "dbname", "database"));
    }

    /// <summary>The source a backup's database component recorded.</summary>
    public static DatabaseTarget FromSource(ComponentEntry? component)
    {
        var source = component?.Source ?? new Dictionary<string, string>();
        return new DatabaseTarget(source.GetValueOrDefault("host"), source.GetValueOrDefault("port"),
            source.GetValueOrDefault("database") ?? component?.Name);
    }

    /// <inheritdoc />
    public override string ToString()
        => $"database '{(string.IsNullOrEmpty(Database) ? "(default)" : Database)}' on "
           + $"{(string.IsNullOrEmpty(Host) ? "localhost" : Host)}:{(string.IsNullOrEmpty(Port) ? "5432" : Port)}";

    private static string? Pick(Dictionary<string, string> pairs, params string[] keys)
        => keys.Select(k => pairs.GetValueOrDefault(k)).FirstOrDefault(v => !string.IsNullOrEmpty(v));

    [GeneratedRegex(@"(?<key>[A-Za-z][A-Za-z ]*?)\s*=\s*(?<value>'[^']*'|[^;\s]*)")]
    private static partial Regex KeyValue();
}
