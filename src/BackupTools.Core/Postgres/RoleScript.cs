using System.Text.RegularExpressions;
using Npgsql;

namespace BackupTools.Core.Postgres;

/// <summary>
/// The roles script a backup holds (pg_dumpall --roles-only --no-role-passwords), read statement by statement
/// so a restore can create only the roles the target lacks, without touching roles that already exist.
/// </summary>
public sealed partial class RoleScript
{
    private RoleScript(List<(string Role, string Sql)> definitions, List<(string Role, string Member, string Sql)> grants)
    {
        Definitions = definitions;
        Grants = grants;
    }

    /// <summary>CREATE ROLE / ALTER ROLE statements, with the role each one defines.</summary>
    public IReadOnlyList<(string Role, string Sql)> Definitions { get; }

    /// <summary>GRANT role TO member statements.</summary>
    public IReadOnlyList<(string Role, string Member, string Sql)> Grants { get; }

    /// <summary>The roles the script defines, in order.</summary>
    public IEnumerable<string> Roles => Definitions.Select(d => d.Role).Distinct();

    /// <summary>Reads the one-statement-per-line output of pg_dumpall --roles-only; other lines are ignored.</summary>
    public static RoleScript Parse(string script)
    {
        var definitions = new List<(string, string)>();
        var grants = new List<(string, string, string)>();
        foreach (var raw in script.Split('\n'))
        {
            var line = raw.Trim();
            if (DefinitionRegex().Match(line) is { Success: true } d) definitions.Add((Unquote(d.Groups[1].Value), line));
            else if (GrantRegex().Match(line) is { Success: true } g) grants.Add((Unquote(g.Groups[1].Value), Unquote(g.Groups[2].Value), line));
        }
        return new RoleScript(definitions, grants);
    }

    /// <summary>
    /// Creates the roles the target lacks (CREATE + ALTER), then the memberships that involve them. A statement the
    /// target refuses (e.g. SUPERUSER without being one) becomes a warning; a role created meanwhile is skipped.
    /// Returns the roles created.
    /// </summary>
    public async Task<IReadOnlyList<string>> ApplyMissingAsync(NpgsqlConnection conn, ICollection<string> warnings, CancellationToken ct)
    {
        var existing = new HashSet<string>(StringComparer.Ordinal);
        await using (var cmd = new NpgsqlCommand("SELECT rolname FROM pg_roles", conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await r.ReadAsync(ct).ConfigureAwait(false)) existing.Add(r.GetString(0));

        var missing = Roles.Where(role => !existing.Contains(role)).ToHashSet(StringComparer.Ordinal);
        foreach (var (_, sql) in Definitions.Where(d => missing.Contains(d.Role)))
            await TryAsync(conn, sql, warnings, ct).ConfigureAwait(false);
        foreach (var (_, _, sql) in Grants.Where(g => missing.Contains(g.Role) || missing.Contains(g.Member)))
            await TryAsync(conn, sql, warnings, ct).ConfigureAwait(false);
        return missing.ToList();
    }

    private static async Task TryAsync(NpgsqlConnection conn, string sql, ICollection<string> warnings, CancellationToken ct)
    {
        try
        {
            await PgServer.ExecuteAsync(conn, sql, ct).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == "42710") { /* duplicate_object: created meanwhile */ }
        catch (PostgresException e)
        {
            warnings.Add($"Role statement not applied ({e.MessageText}): {sql}");
        }
    }

    private static string Unquote(string identifier) =>
        identifier.StartsWith('"') ? identifier[1..^1].Replace("\"\"", "\"") : identifier;

    private const string Identifier = @"(""(?:[^""]|"""")+""|[^\s;""]+)";

    [GeneratedRegex(@"^(?:CREATE|ALTER) ROLE " + Identifier + @"(?:\s|;)")]
    private static partial Regex DefinitionRegex();

    [GeneratedRegex(@"^GRANT " + Identifier + @" TO " + Identifier + @"(?:\s|;)")]
    private static partial Regex GrantRegex();
}
