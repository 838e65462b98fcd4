using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Testing;

namespace BackupTools.Tests.EndToEnd;

/// <summary>
/// What the end-to-end tests share: sample databases on the run's PostgreSQL 15, repositories with fast KDF
/// parameters, backups and restores through the engine, fingerprints, s3rver locations.
/// </summary>
internal sealed class EndToEndHelpers(PostgresCluster cluster)
{
    /// <summary>The repositories' passphrase.</summary>
    public const string Passphrase = "e2e passphrase 4c1d-9a7e";

    public PostgresCluster Cluster => cluster;

    /// <summary>The run's shared s3rver.</summary>
    public static async Task<S3Server> S3Async() => (await TestServices.GetAsync()).S3;

    /// <summary>Weak Argon2id (fast) and small chunks, so a small database still makes many chunks.</summary>
    public static RepositoryCreateOptions FastOptions(int averageChunkSize = 64 * 1024) => new()
    {
        KdfMemoryKiB = 1024, KdfIterations = 1, KdfParallelism = 1,
        ChunkMinSize = averageChunkSize / 4, ChunkAverageSize = averageChunkSize, ChunkMaxSize = averageChunkSize * 8,
    };

    /// <summary>s3://bucket/prefix on <paramref name="s3"/> (or through <paramref name="endpoint"/>, e.g. a fault proxy) with s3rver's keys.</summary>
    public static RepositoryLocation S3Location(S3Server s3, string bucket, string prefix, string? endpoint = null)
        => BlobStoreFactory.Parse($"s3://{bucket}/{prefix}", endpoint ?? s3.Endpoint, "us-east-1", s3.State.AccessKey, s3.State.SecretKey);

    /// <summary>A bucket name no other test uses (the bucket itself is not created).</summary>
    public static string NewBucketName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>A new database holding the Supabase-shaped sample.</summary>
    public async Task<string> NewSampleDatabaseAsync(string prefix = "e2e")
    {
        var db = await Cluster.CreateDatabaseAsync(prefix);
        await SupabaseSample.LoadAsync(Cluster, db);
        return db;
    }

    public Task<Manifest> BackupAsync(BackupRepository repository, string db, params string[] tags) =>
        LogicalBackup.RunAsync(repository,
            new DatabaseBackupRequest { ConnectionString = Cluster.Uri(db), PgBinDirectory = Cluster.State.BinDirectory },
            null, NullBackupLog.Instance, tags: tags);

    /// <summary>Restores into a new database <paramref name="asDatabase"/> on the cluster.</summary>
    public Task<DatabaseRestoreOutcome> RestoreAsNewAsync(BackupRepository repository, Manifest manifest, string asDatabase) =>
        LogicalRestore.RunAsync(repository, manifest,
            new DatabaseRestoreRequest { TargetConnectionString = Cluster.Uri("postgres"), AsDatabase = asDatabase, PgBinDirectory = Cluster.State.BinDirectory },
            null, NullBackupLog.Instance);

    /// <summary>Restores over the existing database <paramref name="db"/> (pg_restore --clean).</summary>
    public Task<DatabaseRestoreOutcome> RestoreInPlaceAsync(BackupRepository repository, Manifest manifest, string db) =>
        LogicalRestore.RunAsync(repository, manifest,
            new DatabaseRestoreRequest { TargetConnectionString = Cluster.Uri(db), PgBinDirectory = Cluster.State.BinDirectory },
            null, NullBackupLog.Instance);

    public Task<IReadOnlyList<FingerprintRow>> FingerprintAsync(string db) => SupabaseSample.FingerprintAsync(Cluster.ConnectionString(db));

    /// <summary>Deletes rows, vandalises a column, drops a policy, a grant and a table, resets a sequence in the sample.</summary>
    public Task DamageSampleAsync(string db) => Cluster.ExecuteAsync(db, """
        DELETE FROM public.posts WHERE id % 10 = 0;
        UPDATE public.profiles SET bio = 'vandalised';
        DROP POLICY "Public avatars" ON storage.objects;
        REVOKE SELECT ON public.posts FROM anon;
        SELECT setval('public.invoice_number_seq', 1);
        DROP TABLE public.events CASCADE;
        """);

    public async Task<bool> DatabaseExistsAsync(string db) =>
        await Cluster.ScalarAsync<bool>("postgres", $"SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = '{db}')");

    public Task DropDatabaseAsync(string db) => Cluster.ExecuteAsync("postgres", $"DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)");

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    public static int ClosedLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}

/// <summary>Takes a fault proxy down at the first progress report (synchronously, so no request slips through first: data is flowing).</summary>
internal sealed class OutageOnFirstReport(FaultProxy proxy) : IProgress<ProgressInfo>
{
    public void Report(ProgressInfo value) => proxy.FaultRate = 1.0;
}

/// <summary>A throwaway folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
    }

    public string Path { get; }

    /// <summary>Every file below the folder as "relative/path sha256", sorted: equal snapshots mean nothing was added, removed or changed.</summary>
    public IReadOnlyList<string> Snapshot() => !Directory.Exists(Path)
        ? Array.Empty<string>()
        : Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories)
            .Select(f => $"{System.IO.Path.GetRelativePath(Path, f).Replace('\\', '/')} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))}")
            .Order(StringComparer.Ordinal)
            .ToList();

    public void Dispose()
    {
        try { if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true); }
        catch (IOException) { /* best effort */ }
    }
}
