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
        var rows = ReadBlocks(archive).ToDictionary(b => b.Key, b =>
        {
            var data = b.Value;
            return data.AsSpan(0, ParallelCopyRestore.WithoutEndMarker(data, data.Length)).Count((byte)'\n');
        });
        var users = tables.Single(t => t.Namespace == "auth" && t.Tag == "users");
        Assert.Equal(await Cluster.ScalarAsync<long>(db, "SELECT count(*) FROM auth.users"), rows[users.DumpId]);
        Assert.Equal(tables.Select(t => t.DumpId).OrderBy(i => i), rows.Keys.OrderBy(i => i));
    }

    [Fact]
    public async Task An_archive_handed_over_in_pieces_of_a_few_bytes_reads_the_same_as_from_a_stream()
    {
        // The restore hands the reader the backup's chunks as they are: an integer or a row may start in one buffer and
        // end in the next. Pieces of 1 to 13 bytes put a boundary inside every length and most rows.
        var db = await Cluster.CreateDatabaseAsync("bt");
        await SupabaseSample.LoadAsync(Cluster, db);
        var dump = await DumpAsync(db, "-Z0");
        var whole = new CustomArchiveReader(new MemoryStream(dump));
        whole.ReadHead();
        var expected = ReadBlocks(whole);

        using var input = new Pieces(dump, new Random(7));
        var pieces = new CustomArchiveReader(input);
        pieces.ReadHead();

        Assert.Equal(whole.Head, pieces.Head);
        Assert.Equal(whole.Entries.Select(e => (e.DumpId, e.Desc, e.Tag, e.CopyStmt)), pieces.Entries.Select(e => (e.DumpId, e.Desc, e.Tag, e.CopyStmt)));
        var actual = ReadBlocks(pieces, fill: 100); // a few rows per call, as segments are filled
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (block, data) in expected) Assert.Equal(data, actual[block]);
        Assert.True(expected.Values.Sum(d => d.Length) > 10_000);
    }

    /// <summary>Every data block's bytes, by dump id, read with <see cref="CustomArchiveReader.ReadChunks"/> up to <paramref name="fill"/> bytes a call.</summary>
    private static Dictionary<int, byte[]> ReadBlocks(CustomArchiveReader archive, int fill = int.MaxValue)
    {
        var blocks = new Dictionary<int, byte[]>();
        while (archive.NextBlock() is { } block)
        {
            var data = new MemoryStream();
            var buffer = new byte[16];
            for (var ended = false; !ended;)
            {
                var length = archive.ReadChunks(ref buffer, 0, fill, out ended);
                data.Write(buffer, 0, length);
            }
            blocks[block] = data.ToArray();
        }
        return blocks;
    }

    /// <summary>An archive handed over in pieces of 1 to 13 bytes, each in a buffer of its own.</summary>
    private sealed class Pieces(byte[] archive, Random random) : ArchiveInput
    {
        private int _offset;

        public override bool Next(out byte[] buffer, out int length)
        {
            length = Math.Min(random.Next(1, 14), archive.Length - _offset);
            buffer = archive.AsSpan(_offset, length).ToArray();
            _offset += length;
            return length > 0;
        }
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
