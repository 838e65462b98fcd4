using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace BackupTools.Core.Postgres;

/// <summary>
/// Where a PostgreSQL database is and who connects to it, parsed from a postgresql:// URI, a libpq
/// key=value string or an Npgsql-style Key=Value; string. The password is kept only in memory: it goes
/// to Npgsql and to child processes through PGPASSWORD, never into argv, descriptions or errors.
/// </summary>
public sealed partial class PgConnectionInfo
{
    private const int DefaultPort = 5432;

    private PgConnectionInfo(string host, int port, string database, string user, string? password, string? sslMode, int? connectTimeout)
    {
        Host = host;
        Port = port;
        Database = database;
        User = user;
        Password = password;
        SslMode = sslMode;
        ConnectTimeout = connectTimeout;
    }

    /// <summary>Host name, address, or a Unix socket folder (starts with '/').</summary>
    public string Host { get; }
    public int Port { get; }
    public string Database { get; }
    public string User { get; }
    /// <summary>The password, from the connection string or PGPASSWORD; null when neither has one.</summary>
    public string? Password { get; }
    /// <summary>libpq sslmode (disable, allow, prefer, require, verify-ca, verify-full) or null for the default.</summary>
    public string? SslMode { get; }
    /// <summary>Seconds to wait for a connection; null for the default.</summary>
    public int? ConnectTimeout { get; }

    /// <summary>Where this points, safe to show and log: "host:port/database as user" (never the password).</summary>
    public string Description => $"{Host}:{Port}/{Database} as {User}";

    /// <summary>"host:port", for naming the server in results.</summary>
    public string Server => $"{Host}:{Port}";

    /// <summary>
    /// Parses a connection string in any of the three accepted forms. Missing parts fall back to
    /// PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD and PGSSLMODE, then to libpq's defaults.
    /// InvalidArgument (naming the string with its password masked) when it does not parse.
    /// </summary>
    public static PgConnectionInfo Parse(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, "The connection string is empty.", connectionString);
        var trimmed = connectionString.Trim();
        try
        {
            IEnumerable<KeyValuePair<string, string>> pairs =
                trimmed.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
                    ? ParseUri(trimmed)
                    : trimmed.Contains(';') ? ParseNpgsqlStyle(trimmed) : ParseKeyValue(trimmed);
            return FromPairs(pairs);
        }
        catch (FormatException e)
        {
            var masked = MaskPassword(trimmed);
            throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                $"Cannot parse the connection string '{masked}': {e.Message} Use postgresql://user:password@host:port/database, " +
                "libpq 'host=… port=… dbname=… user=…', or 'Host=…;Port=…;Database=…;Username=…'.", masked);
        }
    }

    /// <summary>Builds connection information from parts (e.g. a manifest's source); the password falls back to PGPASSWORD.</summary>
    public static PgConnectionInfo FromParts(string host, int port, string database, string user, string? password = null, string? sslMode = null) =>
        new(host, port, database, user, password ?? Env("PGPASSWORD"), sslMode ?? Env("PGSSLMODE"), null);

    /// <summary>The same server and credentials, another database.</summary>
    public PgConnectionInfo WithDatabase(string database) => new(Host, Port, database, User, Password, SslMode, ConnectTimeout);

    /// <summary>An Npgsql connection string builder for the engine's own queries (no pooling: each operation owns its connections).</summary>
    public NpgsqlConnectionStringBuilder ToNpgsql()
    {
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Database = Database,
            Username = User,
            Password = Password,
            ApplicationName = "BackupTools",
            Pooling = false,
            Timeout = ConnectTimeout ?? 15,
            CommandTimeout = 0,
        };
        if (SslMode is not null) b.SslMode = ToNpgsqlSslMode(SslMode);
        return b;
    }

    /// <summary>
    /// The environment a libpq tool (pg_dump, pg_restore, psql) needs to reach this database. The password travels
    /// only here (PGPASSWORD). Values set to null remove an inherited variable that would otherwise redirect the tool.
    /// </summary>
    public IReadOnlyDictionary<string, string?> ToEnvironment(string applicationName = "BackupTools") => new Dictionary<string, string?>
    {
        ["PGHOST"] = Host,
        ["PGPORT"] = Port.ToString(CultureInfo.InvariantCulture),
        ["PGDATABASE"] = Database,
        ["PGUSER"] = User,
        ["PGPASSWORD"] = Password,
        ["PGSSLMODE"] = SslMode,
        ["PGCONNECT_TIMEOUT"] = ConnectTimeout?.ToString(CultureInfo.InvariantCulture),
        ["PGAPPNAME"] = applicationName,
        ["PGSERVICE"] = null,
        ["PGHOSTADDR"] = null,
        ["PGOPTIONS"] = null,
    };

    /// <summary>Replaces the password in any of the accepted connection string forms with "***".</summary>
    public static string MaskPassword(string connectionString)
    {
        var s = UriPasswordRegex().Replace(connectionString, "$1***@");
        s = QueryPasswordRegex().Replace(s, "$1***");
        return KeyValuePasswordRegex().Replace(s, "$1***");
    }

    public override string ToString() => Description;

    private static PgConnectionInfo FromPairs(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        string? host = null, port = null, database = null, user = null, password = null, sslMode = null, timeout = null;
        foreach (var (rawKey, value) in pairs)
        {
            switch (rawKey.Trim().ToLowerInvariant())
            {
                case "host" or "server" or "hostaddr": host = value; break;
                case "port": port = value; break;
                case "dbname" or "database" or "db": database = value; break;
                case "user" or "username" or "user id" or "userid" or "uid": user = value; break;
                case "password" or "pwd": password = value; break;
                case "sslmode" or "ssl mode": sslMode = value.ToLowerInvariant(); break;
                case "connect_timeout" or "timeout": timeout = value; break;
                case "application_name" or "application name": break; // we name ourselves
                default: throw new FormatException($"unknown option '{rawKey.Trim()}'.");
            }
        }
        host = NullIfEmpty(host) ?? Env("PGHOST") ?? "localhost";
        user = NullIfEmpty(user) ?? Env("PGUSER") ?? Environment.UserName;
        database = NullIfEmpty(database) ?? Env("PGDATABASE") ?? user;
        sslMode = NullIfEmpty(sslMode) ?? Env("PGSSLMODE");
        if (sslMode is not null && !SslModes.Contains(sslMode)) throw new FormatException($"sslmode '{sslMode}' is not one of {string.Join(", ", SslModes)}.");
        return new PgConnectionInfo(host, ParseNumber(NullIfEmpty(port) ?? Env("PGPORT"), "port", DefaultPort), database, user,
            NullIfEmpty(password) ?? Env("PGPASSWORD"), sslMode, timeout is null ? null : ParseNumber(timeout, "connect_timeout", 0));
    }

    private static readonly string[] SslModes = { "disable", "allow", "prefer", "require", "verify-ca", "verify-full" };

    private static int ParseNumber(string? text, string what, int fallback)
    {
        if (text is null) return fallback;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 0 and <= 65535) return n;
        throw new FormatException($"{what} '{text}' is not a number.");
    }

    /// <summary>postgresql://[user[:password]@][host][:port][/dbname][?param=value&amp;…], percent-decoded.</summary>
    private static List<KeyValuePair<string, string>> ParseUri(string uri)
    {
        var result = new List<KeyValuePair<string, string>>();
        var rest = uri[(uri.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var q = rest.IndexOf('?');
        var query = q >= 0 ? rest[(q + 1)..] : "";
        if (q >= 0) rest = rest[..q];
        var slash = rest.IndexOf('/');
        var authority = slash >= 0 ? rest[..slash] : rest;
        if (slash >= 0 && rest.Length > slash + 1) result.Add(new("dbname", Decode(rest[(slash + 1)..])));

        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            var colon = userInfo.IndexOf(':');
            result.Add(new("user", Decode(colon >= 0 ? userInfo[..colon] : userInfo)));
            if (colon >= 0) result.Add(new("password", Decode(userInfo[(colon + 1)..])));
        }
        if (authority.Contains(',')) throw new FormatException("several hosts are not supported.");
        string hostPart = authority, portPart = "";
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0) throw new FormatException("an IPv6 address lacks its closing ']'.");
            hostPart = authority[1..close];
            portPart = authority[(close + 1)..].TrimStart(':');
        }
        else if (authority.LastIndexOf(':') is var c and >= 0)
        {
            hostPart = authority[..c];
            portPart = authority[(c + 1)..];
        }
        if (hostPart.Length > 0) result.Add(new("host", Decode(hostPart)));
        if (portPart.Length > 0) result.Add(new("port", portPart));

        foreach (var param in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = param.IndexOf('=');
            if (eq <= 0) throw new FormatException($"query parameter '{Decode(param)}' has no value.");
            result.Add(new(Decode(param[..eq]), Decode(param[(eq + 1)..])));
        }
        return result;
    }

    private static string Decode(string s)
    {
        if (s.Contains('%') && !PercentRegex().IsMatch(s)) throw new FormatException("it has an invalid percent-encoding.");
        return Uri.UnescapeDataString(s);
    }

    /// <summary>libpq's keyword = value form; values may be single-quoted with \' and \\ escapes.</summary>
    private static List<KeyValuePair<string, string>> ParseKeyValue(string s)
    {
        var result = new List<KeyValuePair<string, string>>();
        var i = 0;
        while (true)
        {
            while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
            if (i >= s.Length) return result;
            var keyStart = i;
            while (i < s.Length && s[i] != '=' && !char.IsWhiteSpace(s[i])) i++;
            var key = s[keyStart..i];
            while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
            if (i >= s.Length || s[i] != '=') throw new FormatException($"'{key}' is not followed by '='.");
            i++;
            while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
            var value = new StringBuilder();
            if (i < s.Length && s[i] == '\'')
            {
                i++;
                while (true)
                {
                    if (i >= s.Length) throw new FormatException($"the quoted value of '{key}' is not closed.");
                    var ch = s[i++];
                    if (ch == '\'') break;
                    if (ch == '\\' && i < s.Length) ch = s[i++];
                    value.Append(ch);
                }
            }
            else
            {
                while (i < s.Length && !char.IsWhiteSpace(s[i]))
                {
                    var ch = s[i++];
                    if (ch == '\\' && i < s.Length) ch = s[i++];
                    value.Append(ch);
                }
            }
            result.Add(new(key, value.ToString()));
        }
    }

    /// <summary>ADO.NET Key=Value; pairs (Npgsql style), with its quoting rules.</summary>
    private static List<KeyValuePair<string, string>> ParseNpgsqlStyle(string s)
    {
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = s;
        }
        catch (ArgumentException)
        {
            throw new FormatException("it is not a list of Key=Value; pairs.");
        }
        return builder.Keys.Cast<string>().Select(k => new KeyValuePair<string, string>(k, Convert.ToString(builder[k], CultureInfo.InvariantCulture) ?? "")).ToList();
    }

    private static SslMode ToNpgsqlSslMode(string mode) => mode switch
    {
        "disable" => Npgsql.SslMode.Disable,
        "allow" => Npgsql.SslMode.Allow,
        "require" => Npgsql.SslMode.Require,
        "verify-ca" => Npgsql.SslMode.VerifyCA,
        "verify-full" => Npgsql.SslMode.VerifyFull,
        _ => Npgsql.SslMode.Prefer,
    };

    private static string? Env(string name) => NullIfEmpty(Environment.GetEnvironmentVariable(name));
    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    [GeneratedRegex(@"^(\w+://[^:/@?]*:)[^/?]*@", RegexOptions.IgnoreCase)]
    private static partial Regex UriPasswordRegex();

    [GeneratedRegex(@"([?&]password=)[^&]*", RegexOptions.IgnoreCase)]
    private static partial Regex QueryPasswordRegex();

    [GeneratedRegex(@"(\b(?:password|pwd)\s*=\s*)(?:'(?:[^'\\]|\\.)*'?|""(?:[^""]|"""")*""?|[^\s;]*)", RegexOptions.IgnoreCase)]
    private static partial Regex KeyValuePasswordRegex();

    [GeneratedRegex(@"^(?:[^%]|%[0-9A-Fa-f]{2})*$")]
    private static partial Regex PercentRegex();
}
