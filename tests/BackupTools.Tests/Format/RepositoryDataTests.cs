using System.Security.Cryptography;
using System.Text;
using BackupTools.Core;
using BackupTools.Core.Repository;
using Xunit;

namespace BackupTools.Tests.Format;

public class RepositoryDataTests
{
    private static async Task<FileEntry> WriteAsync(BackupRepository repository, byte[] data, WriteStats? stats = null)
        => await repository.WriteStreamAsync("dump", new MemoryStream(data), stats ?? new WriteStats());

    private static async Task<byte[]> ReadAsync(BackupRepository repository, FileEntry file)
    {
        var output = new MemoryStream();
        await repository.ReadFileAsync(file, output);
        return output.ToArray();
    }

    private static Manifest ManifestOf(FileEntry file) => new()
    {
        Id = Manifest.NewId(DateTimeOffset.UtcNow),
        Components = { new ComponentEntry { Type = "database", Name = "app", Files = { file } } },
    };

    [Fact]
    public async Task Write_and_read_back_30MB_round_trip_with_stats_and_progress()
    {
        using var temp = new TempRepository();
        using var repository = await temp.CreateAsync(TempRepository.FastOptions(avg: 256 * 1024));
        var data = TestData.Mixed(30 << 20, 5);
        var stats = new WriteStats();
        long lastProgress = 0;
        var progress = new SynchronousProgress(v => lastProgress = v);

        var file = await repository.WriteStreamAsync("dump", new MemoryStream(data), stats, progress);

        Assert.Equal(data.Length, file.Size);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant(), file.Sha256);
        Assert.Equal(data.Length, file.Chunks.Sum(c => (long)c.Length));
        Assert.All(file.Chunks, c => Assert.Matches("^[0-9a-f]{64}$", c.Id));
        Assert.Equal(data.Length, stats.BytesRead);
        Assert.Equal(data.Length, lastProgress);
        Assert.Equal(file.Chunks.Count, stats.ChunksTotal);
        Assert.Equal(file.Chunks.Select(c => c.Id).Distinct().Count(), stats.ChunksNew);
        Assert.Equal(temp.ChunkFiles().Sum(f => new FileInfo(f).Length), stats.BytesAdded);
        Assert.True(stats.BytesAdded < data.Length * 0.8, "the text half compresses");

        Assert.Equal(data, await ReadAsync(repository, file));
    }

    [Fact]
    public async Task Empty_stream_round_trips()
    {
        using var temp = new TempRepository();
        using var repository = await temp.CreateAsync();
        var file = await WriteAsync(repository, Array.Empty<byte>());
        Assert.Empty(file.Chunks);
        Assert.Empty(await ReadAsync(repository, file));
    }

    [Fact]
    public async Task Writing_the_same_data_again_adds_no_chunks_even_in_a_new_session()
    {
        using var temp = new TempRepository();
        var data = TestData.Mixed(8 << 20, 6);
        FileEntry first;
        using (var repository = await temp.CreateAsync()) first = await WriteAsync(repository, data);
        var filesBefore = temp.ChunkFiles().Length;

        using var reopened = await temp.OpenAsync();
        var stats = new WriteStats();
        var second = await WriteAsync(reopened, data, stats);

        Assert.Equal(0, stats.ChunksNew);
        Assert.Equal(0, stats.BytesAdded);
        Assert.Equal(filesBefore, temp.ChunkFiles().Length);
        Assert.Equal(first.Chunks.Select(c => (c.Id, c.StoredLength)), second.Chunks.Select(c => (c.Id, c.StoredLength)));
    }

    [Fact]
    public async Task Repeated_content_inside_one_stream_is_stored_once()
    {
        using var temp = new TempRepository();
        using var repository = await temp.CreateAsync();
        var block = TestData.Random(2 << 20, 7);
        var stats = new WriteStats();
        var file = await WriteAsync(repository, block.Concat(block).Concat(block).ToArray(), stats);

        Assert.True(stats.ChunksNew < file.Chunks.Count * 0.5, $"{stats.ChunksNew} new of {file.Chunks.Count}");
    }

    [Fact]
    public async Task A_flipped_byte_fails_Full_verify_and_read_but_not_Quick()
    {
        using var temp = new TempRepository();
        using var repository = await temp.CreateAsync();
        var file = await WriteAsync(repository, TestData.Mixed(4 << 20, 8));
        var manifest = ManifestOf(file);
        var victim = file.Chunks[file.Chunks.Count / 2].Id;
        var path = temp.PathOfChunk(victim);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var quick = Assert.Single(await repository.VerifyAsync(manifest, VerifyLevel.Quick));
        Assert.True(quick.Success, string.Join("; ", quick.Errors));

        var full = Assert.Single(await repository.VerifyAsync(manifest, VerifyLevel.Full));
        Assert.False(full.Success);
        Assert.Equal("database", full.Component);
        Assert.Contains(victim, Assert.Single(full.Errors));
        Assert.Equal(file.Chunks.Select(c => c.Id).Distinct().Count(), full.ChunksChecked);

        var e = await Assert.ThrowsAsync<BackupToolsException>(() => ReadAsync(repository, file));
        Assert.Equal(BackupErrorKind.Corrupt, e.Kind);
        Assert.Contains(victim, e.Message);
    }

    [Fact]
    public async Task A_chunk_file_copied_over_another_fails_authentication()
    {
        using var temp = new TempRepository();
        using var repository = await temp.CreateAsync();
        var file = await WriteAsync(repository, TestData.Random(2 << 20, 9));
        var (a, b) = (file.Chunks[0].Id, file.Chunks[1].Id);
        File.Copy(temp.PathOfChunk(a), temp.PathOfChunk(b), overwrite: true);

        var full = Assert.Single(await repository.VerifyAsync(ManifestOf(file), VerifyLevel.Full));
        Assert.Contains(b, Assert.Single(full.Errors));
    }

    [Fact]
    public async Task A_deleted_chunk_fails_Quick_verify_naming_it()
    {
        using var temp = new TempRepository();
        using var repository = await temp.CreateAsync();
        var file = await WriteAsync(repository, TestData.Mixed(4 << 20, 10));
        var victim = file.Chunks[0].Id;
        File.Delete(temp.PathOfChunk(victim));

        var quick = Assert.Single(await repository.VerifyAsync(ManifestOf(file), VerifyLevel.Quick));
        Assert.False(quick.Success);
        Assert.Contains(victim, Assert.Single(quick.Errors));
        var e = await Assert.ThrowsAsync<BackupToolsException>(() => ReadAsync(repository, file));
        Assert.Equal(BackupErrorKind.Corrupt, e.Kind);
    }

    [Fact]
    public async Task No_plaintext_appears_in_any_repository_file()
    {
        using var temp = new TempRepository();
        using var repository = await temp.CreateAsync();
        const string marker = "PLAINTEXT-MARKER-7d1e";
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(marker + " raw row\n", 20000)));
        var file = await WriteAsync(repository, text.Concat(TestData.Random(1 << 20, 11)).ToArray());
        var manifest = ManifestOf(file);
        manifest.Tags.Add(marker);
        manifest.Components[0].Source["database"] = marker;
        await repository.SaveManifestAsync(manifest);
        await using (await repository.LockAsync(false, marker))
        {
            foreach (var path in Directory.GetFiles(temp.Folder, "*", SearchOption.AllDirectories))
            {
                var content = File.ReadAllBytes(path);
                Assert.True(content.AsSpan().IndexOf(Encoding.UTF8.GetBytes(marker)) < 0, $"{path} holds the marker");
                Assert.True(content.AsSpan().IndexOf(Encoding.UTF8.GetBytes("raw row")) < 0, $"{path} holds plaintext");
            }
        }
    }

    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
