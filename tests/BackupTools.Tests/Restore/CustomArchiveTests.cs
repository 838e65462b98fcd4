using BackupTools.Core.Operations;
using BackupTools.Core.Postgres;
using BackupTools.Testing;
using BackupTools.Tests.Postgres;
using Xunit;

namespace BackupTools.Tests.Restore;

/// <summary>The pg_dump custom-format reader against real pg_dump output, and the end-of-data line of a table's rows.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CustomArchiveTests(PostgresFixture fixture)
{
    private PostgresCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task The_table_of_contents_matches_pg_restore_and_every_row_of_the_data_blocks_is_read()
    {
        var db = await Cluster.CreateDatabaseAsync("bt");
        await SupabaseSample.LoadAsync(Cluster, db);
        var dump = await DumpAsync(db, "-Z0");
        var listing = await ListAsync(dump);

        var archive = new CustomArchiveReader(new MemoryStream(dump));
        archive.ReadHead();

        Assert.Equal("UTF8", archive.Encoding);
        Assert.Contains("search_path", archive.SearchPathStatement);
        // pg_restore -l prints one line per entry it would restore: every id it prints is one we read, with its kind.
        foreach (var (id, entry) in listing)
            Assert.StartsWith(archive.Entries.Single(e => e.DumpId == id).Desc + " ", entry);
        var tables = archive.Entries.Where(e => e.IsTableData).ToList();
        Assert.Contains(tables, t => t.Namespace == "auth" && t.Tag == "users");
        Assert.All(tables, t => Assert.StartsWith($"COPY {t.Namespace}.", t.CopyStmt));
        Assert.All(archive.Entries.Where(e => e.Desc is "INDEX" or "FK CONSTRAINT"), e => Assert.Equal(ArchiveEntry.SectionPostData, e.EffectiveSection));
        Assert.Equal(dump.AsSpan(0, archive.Head.Length).ToArray(), archive.Head);

        // Every table's block is there, in order, and its rows add up to the table's row count.
        var rows = new Dictionary<int, int>();
        var buffer = new byte[16];
        while (archive.NextBlock() is { } block)
        {
            var length = 0;
            int n;
            while ((n = archive.ReadChunk(ref buffer, length)) > 0) length += n;
            length = ParallelCopyRestore.WithoutEndMarker(buffer, length);
            rows[block] = buffer.AsSpan(0, length).Count((byte)'\n');
        }
        var users = tables.Single(t => t.Namespace == "auth" && t.Tag == "users");
        Assert.Equal(await Cluster.ScalarAsync<long>(db, "SELECT count(*) FROM auth.users"), rows[users.DumpId]);
        Assert.Equal(tables.Select(t => t.DumpId).OrderBy(i => i), rows.Keys.OrderBy(i => i));
    }

    [Fact]
    public async Task A_compressed_archive_is_refused_before_any_data_is_read()
    {
        var db = await Cluster.CreateDatabaseAsync("bt");
        await Cluster.ExecuteAsync(db, "CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 10)");
        var archive = new CustomArchiveReader(new MemoryStream(await DumpAsync(db, "-Z1")));

        var e = Assert.Throws<NotSupportedException>(() => archive.ReadHead());

        Assert.Contains("compressed", e.Message);
    }

    [Theory]
    [InlineData("1\ta\n2\tb\n\\.\n\n\n", "1\ta\n2\tb\n")]
    [InlineData("\\.\n\n\n", "")]
    [InlineData("1\ta\n", "1\ta\n")]
    [InlineData("1\t\\\\.\n", "1\t\\\\.\n")] // a value ending in a backslash-escaped dot is a row, not the end
    public void The_end_of_data_line_is_cut_off_and_rows_are_kept(string data, string expected)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(data);
        Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(bytes, 0, ParallelCopyRestore.WithoutEndMarker(bytes, bytes.Length)));
    }

    private async Task<byte[]> DumpAsync(string db, string compression)
    {
        await using var process = ToolProcess.Start(Path.Combine(Cluster.State.BinDirectory, "pg_dump"), new[] { "-Fc", compression, "--no-password" },
            PgConnectionInfo.Parse(Cluster.Uri(db)).ToEnvironment());
        var output = new MemoryStream();
        await process.StandardOutput.CopyToAsync(output);
        Assert.Equal(0, await process.WaitForExitAsync());
        return output.ToArray();
    }

    /// <summary>pg_restore -l's entries: the id, and the rest after the catalog ids (kind, namespace, name, owner).</summary>
    private async Task<List<(int Id, string Entry)>> ListAsync(byte[] dump)
    {
        var file = Path.Combine(Path.GetTempPath(), "bt-archive-" + Guid.NewGuid().ToString("N") + ".dump");
        await File.WriteAllBytesAsync(file, dump);
        try
        {
            var (code, stdout, _) = await ToolProcess.RunAsync(Path.Combine(Cluster.State.BinDirectory, "pg_restore"), new[] { "-l", file });
            Assert.Equal(0, code);
            // "123; 2615 16385 SCHEMA - auth postgres": id, catalog ids, then the kind (one or more words) and the name.
            return stdout.Split('\n').Where(l => l.Length > 0 && !l.StartsWith(';'))
                .Select(l => (int.Parse(l[..l.IndexOf(';')]), string.Join(' ', l.Split(' ').Skip(3)))).ToList();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
