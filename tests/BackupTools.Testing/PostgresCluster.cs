namespace BackupTools.Testing;

// PLACEHOLDER so the harness compiles until the PostgreSQL helper's PostgresCluster.cs lands; replace this file whole.

/// <summary>Where a throwaway PostgreSQL cluster runs (placeholder shape).</summary>
public sealed record PostgresState(string Host, int Port, string User, string Password, string DataDirectory, string SocketDirectory, string BinDirectory, string RootDirectory);

/// <summary>Placeholder for the throwaway PostgreSQL 15 cluster.</summary>
public sealed class PostgresCluster
{
    private PostgresCluster(PostgresState state) => State = state;

    /// <summary>The cluster's connection details.</summary>
    public PostgresState State { get; }

    /// <summary>Not available in the placeholder.</summary>
    public static Task<PostgresCluster> StartAsync(CancellationToken ct = default)
        => throw new NotSupportedException("PostgresCluster is a placeholder in this branch.");

    /// <summary>Uses a cluster started elsewhere.</summary>
    public static PostgresCluster Attach(PostgresState s) => new(s);

    /// <summary>Not available in the placeholder.</summary>
    public Task StopAsync() => throw new NotSupportedException("PostgresCluster is a placeholder in this branch.");
}
