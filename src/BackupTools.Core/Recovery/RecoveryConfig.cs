using System.Globalization;
using System.Text.Json;
using BackupTools.Core.Postgres;

namespace BackupTools.Core.Recovery;

/// <summary>
/// The settings a disaster-recovery runbook reads (Invoke-DisasterRecovery -Config): where the backups are, what to
/// restore and where to, and the objectives. Kept in a file beside the runbooks, so it must hold no secret: passwords
/// come from PGPASSWORD or .pgpass, passphrases from a key file or BACKUPTOOLS_PASSPHRASE, S3 keys from AWS_*.
/// </summary>
public static class RecoveryConfig
{
    /// <summary>Every setting a runbook understands (case-insensitive), with what it is for.</summary>
    public static readonly IReadOnlyDictionary<string, string> Known = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Repository"] = "the primary repository (registered name, path or URI)",
        ["CopyRepository"] = "the copy in another place or region (Ransomware, RegionOutage)",
        ["Endpoint"] = "S3 endpoint of the primary repository",
        ["Region"] = "S3 region of the primary repository",
        ["CopyEndpoint"] = "S3 endpoint of the copy repository",
        ["CopyRegion"] = "S3 region of the copy repository",
        ["KeyFile"] = "file holding the repository passphrase",
        ["Database"] = "the production database (connection string without password)",
        ["TargetDatabase"] = "where to restore the database (connection string without password); default Database",
        ["Schemas"] = "DataCorruption: only these schemas",
        ["Tables"] = "DataCorruption: only these tables",
        ["Storage"] = "the production storage endpoint",
        ["TargetStorage"] = "where to restore storage; default Storage",
        ["ConfigDestination"] = "folder to restore configuration files into",
        ["DataDirectory"] = "HardwareFailure: data directory for a point-in-time recovery",
        ["Port"] = "HardwareFailure: port the recovered server listens on",
        ["PgBinDirectory"] = "folder holding the PostgreSQL client tools",
        ["DetectedAt"] = "when the incident was detected (backups after it are not trusted); default now",
        ["RtoTarget"] = "recovery-time objective, e.g. 00:30:00",
        ["RpoTarget"] = "recovery-point objective, e.g. 1.00:00:00",
    };

    /// <summary>Reads a JSON config file into a case-insensitive dictionary (strings, numbers, booleans, string arrays).</summary>
    public static Dictionary<string, object?> ReadJson(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"The recovery config '{path}' cannot be read: {e.Message}", path, e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"The recovery config '{path}' must be a JSON object.", path);
            return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => ToValue(p.Value), StringComparer.OrdinalIgnoreCase);
        }
    }

    /// <summary>
    /// Checks a config: every key known, no secret inline (a password in a connection string or a key named like a
    /// secret), objectives that parse. InvalidArgument naming the key otherwise (never the secret).
    /// </summary>
    public static void Validate(IReadOnlyDictionary<string, object?> values, string source)
    {
        foreach (var (key, value) in values)
        {
            if (!Known.ContainsKey(key))
                throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                    $"The recovery config '{source}' has an unknown setting '{key}'. Known settings: {string.Join(", ", Known.Keys)}.", key);
            if (key.Contains("Database", StringComparison.OrdinalIgnoreCase) && value is string conn && HasPassword(conn))
                throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                    $"The recovery config '{source}' holds a password in '{key}'. Keep secrets out of it: use PGPASSWORD or a .pgpass file.", key);
        }
        foreach (var key in new[] { "RtoTarget", "RpoTarget" })
        {
            if (values.TryGetValue(key, out var v) && v is not null && ParseDuration(v) is null)
                throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"'{key}' in the recovery config '{source}' is not a duration like 00:30:00.", key);
        }
    }

    /// <summary>A duration from a TimeSpan, a "d.hh:mm:ss" string or a number of minutes; null when it does not parse.</summary>
    public static TimeSpan? ParseDuration(object value) => value switch
    {
        TimeSpan t => t,
        string s when TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out var t) => t,
        double d => TimeSpan.FromMinutes(d),
        int i => TimeSpan.FromMinutes(i),
        long l => TimeSpan.FromMinutes(l),
        _ => null,
    };

    /// <summary>True when the string itself carries a password (masking changes it); PGPASSWORD does not count.</summary>
    private static bool HasPassword(string connectionString) => PgConnectionInfo.MaskPassword(connectionString) != connectionString;

    private static object? ToValue(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => e.EnumerateArray().Select(x => x.ToString()).ToArray(),
        JsonValueKind.Null => null,
        _ => e.ToString(),
    };
}
