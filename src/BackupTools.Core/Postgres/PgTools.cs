using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace BackupTools.Core.Postgres;

/// <summary>One PostgreSQL client program found on this machine.</summary>
public sealed record PgTool(string Name, string Path, int MajorVersion, string Version);

/// <summary>
/// Finds PostgreSQL client programs (pg_dump, pg_restore, pg_dumpall, psql) whose major version is at least
/// the server's: the preferred folder first, then PATH, then the usual install folders. The same major as
/// the server is preferred, else the newest.
/// </summary>
public static partial class PgTools
{
    private static readonly ConcurrentDictionary<string, string?> VersionCache = new();

    /// <summary>
    /// Finds <paramref name="name"/> with major version ≥ <paramref name="minimumMajor"/>. NotFound (naming the version
    /// needed and the versions found) when none fits.
    /// </summary>
    public static async Task<PgTool> FindAsync(string name, int minimumMajor, string? preferredDirectory, CancellationToken ct = default)
    {
        var found = new List<PgTool>();
        foreach (var path in CandidatePaths(name, preferredDirectory))
        {
            var version = await ReadVersionAsync(path, ct).ConfigureAwait(false);
            if (version is null) continue;
            found.Add(new PgTool(name, path, MajorOf(version), version));
        }
        var fitting = found.Where(t => t.MajorVersion >= minimumMajor).ToList();
        var choice = fitting.FirstOrDefault(t => t.MajorVersion == minimumMajor)
                     ?? fitting.OrderByDescending(t => t.MajorVersion).FirstOrDefault();
        if (choice is not null) return choice;

        var foundText = found.Count == 0 ? "none" : string.Join(", ", found.Select(t => $"{t.MajorVersion} ({t.Path})"));
        throw new BackupToolsException(BackupErrorKind.NotFound,
            $"{name} {minimumMajor} or newer is needed for server {minimumMajor}.x; found: {foundText}. " +
            $"Install postgresql-client-{minimumMajor} or pass -PgBinDirectory.", name);
    }

    /// <summary>Every existing file that could be the tool, in search order, without duplicates.</summary>
    internal static IEnumerable<string> CandidatePaths(string name, string? preferredDirectory)
    {
        var fileName = OperatingSystem.IsWindows() ? name + ".exe" : name;
        var seen = new HashSet<string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (var dir in CandidateDirectories(preferredDirectory))
        {
            string path;
            try { path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir, fileName)); }
            catch (ArgumentException) { continue; }
            if (File.Exists(path) && seen.Add(path)) yield return path;
        }
    }

    private static IEnumerable<string> CandidateDirectories(string? preferredDirectory)
    {
        if (!string.IsNullOrWhiteSpace(preferredDirectory)) yield return preferredDirectory;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            yield return dir;
        foreach (var dir in VersionedDirectories("/usr/lib/postgresql", "", "bin")) yield return dir;
        foreach (var dir in VersionedDirectories("/usr", "pgsql-", "bin")) yield return dir;
        foreach (var dir in VersionedDirectories("/opt/homebrew/opt", "postgresql@", "bin")) yield return dir;
        yield return "/usr/local/pgsql/bin";
        foreach (var dir in VersionedDirectories(@"C:\Program Files\PostgreSQL", "", "bin")) yield return dir;
    }

    /// <summary>parent/prefix*/sub for every matching folder, newest version first.</summary>
    private static IEnumerable<string> VersionedDirectories(string parent, string prefix, string sub)
    {
        if (!Directory.Exists(parent)) return Array.Empty<string>();
        return Directory.EnumerateDirectories(parent, prefix + "*")
            .Select(d => (Dir: d, Version: LeadingNumber(System.IO.Path.GetFileName(d)[prefix.Length..])))
            .Where(d => d.Version is not null)
            .OrderByDescending(d => d.Version)
            .Select(d => System.IO.Path.Combine(d.Dir, sub));
    }

    private static int? LeadingNumber(string s)
    {
        var m = LeadingNumberRegex().Match(s);
        return m.Success ? int.Parse(m.Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The version a tool reports with --version ("15.18"), or null when it does not run or say.</summary>
    internal static async Task<string?> ReadVersionAsync(string path, CancellationToken ct)
    {
        if (VersionCache.TryGetValue(path, out var cached)) return cached;
        string? version = null;
        try
        {
            var (code, stdout, _) = await ToolProcess.RunAsync(path, new[] { "--version" }, ct: ct).ConfigureAwait(false);
            var m = VersionRegex().Match(stdout);
            if (code == 0 && m.Success) version = m.Groups[1].Value;
        }
        catch (BackupToolsException) { /* not runnable: not a candidate */ }
        VersionCache[path] = version;
        return version;
    }

    /// <summary>Major version of a version string: "15.18" → 15, "9.6.24" → 9.</summary>
    public static int MajorOf(string version) => LeadingNumber(version) ?? 0;

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+(?:\.\d+)*)")]
    private static partial Regex VersionRegex();

    [GeneratedRegex(@"^\d+")]
    private static partial Regex LeadingNumberRegex();
}
