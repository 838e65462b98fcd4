using Npgsql;

namespace BackupTools.Testing;

/// <summary>One row of a database fingerprint (tests/harness/sql/fingerprint.sql): e.g. ("table", "public.posts", "3000:&lt;md5&gt;").</summary>
public sealed record FingerprintRow(string Kind, string Name, string Value);

/// <summary>
/// The Supabase-shaped sample database (tests/harness/sql/supabase-sample.sql) and the fingerprint query
/// (tests/harness/sql/fingerprint.sql), shared by xunit, the Pester tests and the demo.
/// </summary>
public static class SupabaseSample
{
    /// <summary>The repository root: the nearest folder above the running assembly that holds BackupTools.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Full path of the sample schema + data script.</summary>
    public static string SampleSqlPath => Path.Combine(RepositoryRoot, "tests", "harness", "sql", "supabase-sample.sql");

    /// <summary>Full path of the fingerprint query.</summary>
    public static string FingerprintSqlPath => Path.Combine(RepositoryRoot, "tests", "harness", "sql", "fingerprint.sql");

    /// <summary>Creates the sample schema and data in <paramref name="database"/> (a fresh, empty database).</summary>
    public static Task LoadAsync(PostgresCluster cluster, string database) =>
        cluster.ExecuteAsync(database, File.ReadAllText(SampleSqlPath));

    /// <summary>Runs the fingerprint query against a database given by an Npgsql connection string.</summary>
    public static async Task<IReadOnlyList<FingerprintRow>> FingerprintAsync(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(File.ReadAllText(FingerprintSqlPath), conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<FingerprintRow>();
        while (await reader.ReadAsync())
            rows.Add(new FingerprintRow(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? "" : reader.GetString(2)));
        return rows;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "BackupTools.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No BackupTools.sln above {AppContext.BaseDirectory}.");
    }
}
