using System.Text;
using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Tests.Postgres;
using Xunit;

namespace BackupTools.Tests.EndToEnd;

/// <summary>Acceptance 3: nothing in a repository folder holds the database's text or any secret in the clear.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PlaintextAtRestTests(PostgresFixture fixture)
{
    private const string Marker = "PLAINTEXT-MARKER-7f3a";

    private readonly EndToEndHelpers _e2e = new(fixture.Cluster);

    [Fact]
    public async Task No_file_of_the_repository_holds_the_marker_the_connection_password_or_the_passphrase()
    {
        var cluster = _e2e.Cluster;
        var db = await cluster.CreateDatabaseAsync("plaintext_marker_7f3a");
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var role = "bt_marker_" + suffix;
        var password = "CONN-PW-MARKER-" + suffix + "-c9e2";
        // The backup connects as its own login role, so the password to look for is distinctive.
        // zstd alone hides the text rows' marker (Huffman-coded literals), so the marker also sits in the middle of a
        // 1 MiB random large object: pg_dump -Z0 writes it as is and its chunk does not compress, so only encryption
        // keeps it out of the files.
        await cluster.ExecuteAsync(db, $"""
            CREATE ROLE {role} LOGIN SUPERUSER PASSWORD '{password}';
            CREATE TABLE public.{Marker.Replace('-', '_').ToLowerInvariant()} (id int PRIMARY KEY, note text, payload bytea);
            COMMENT ON TABLE public.{Marker.Replace('-', '_').ToLowerInvariant()} IS '{Marker} in a comment';
            INSERT INTO public.{Marker.Replace('-', '_').ToLowerInvariant()}
              SELECT i, '{Marker} ' || i || ' ' || md5(i::text), decode(md5(random()::text), 'hex') FROM generate_series(1, 5000) i;
            SELECT lo_from_bytea(0, a.r || convert_to('{Marker} in a large object', 'UTF8') || b.r)
              FROM (SELECT decode(string_agg(md5(random()::text), ''), 'hex') AS r FROM generate_series(1, 32768)) a,
                   (SELECT decode(string_agg(md5(random()::text), ''), 'hex') AS r FROM generate_series(1, 32768)) b;
            """);
        using var folder = new TempFolder("bt-e2e-plain");
        try
        {
            using var store = BlobStoreFactory.Open(BlobStoreFactory.Parse(folder.Path));
            using var repository = await BackupRepository.CreateAsync(store, EndToEndHelpers.Passphrase, EndToEndHelpers.FastOptions());
            var connectionString = $"postgresql://{role}:{password}@127.0.0.1:{cluster.State.Port}/{db}";
            var manifest = await LogicalBackup.RunAsync(repository,
                new DatabaseBackupRequest { ConnectionString = connectionString, PgBinDirectory = cluster.State.BinDirectory },
                null, NullBackupLog.Instance, tags: new[] { Marker });

            // Positive control: the backup does hold the marker, readable through the repository.
            using (var dump = new MemoryStream())
            {
                await repository.ReadFileAsync(manifest.Components[0].Files.Single(f => f.Name == LogicalBackup.DumpFileName), dump);
                Assert.True(IndexOf(dump.ToArray(), Encoding.UTF8.GetBytes(Marker + " in a large object")) >= 0, "the dump does not hold the large object's marker");
            }

            // Hold a lock, so a lock file is among the files looked at.
            await using var heldLock = await repository.LockAsync(false, $"scan for {Marker}");
            var files = Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories);
            var kinds = files.Select(f => Path.GetRelativePath(folder.Path, f).Split(Path.DirectorySeparatorChar)[0]).ToHashSet();
            Assert.Superset(new HashSet<string> { "config.json", "keys", "snapshots", "data", "locks" }, kinds);

            var secrets = new[] { Marker, db, password, cluster.State.Password, EndToEndHelpers.Passphrase };
            foreach (var file in files)
            {
                var bytes = File.ReadAllBytes(file);
                foreach (var secret in secrets)
                    Assert.False(IndexOf(bytes, Encoding.UTF8.GetBytes(secret)) >= 0,
                        $"{Path.GetRelativePath(folder.Path, file)} holds '{(secret == Marker || secret == db ? secret : "a secret")}' in the clear");
            }
        }
        finally
        {
            await _e2e.DropDatabaseAsync(db);
            await cluster.ExecuteAsync("postgres", $"DROP ROLE IF EXISTS {role}");
        }
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
