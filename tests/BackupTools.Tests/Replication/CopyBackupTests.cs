using System.Security.Cryptography;
using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Tests.Format;
using Xunit;

namespace BackupTools.Tests.Replication;

/// <summary>Copy-Backup's engine between two local repositories with different passphrases (no servers).</summary>
public sealed class CopyBackupTests : IDisposable
{
    private const string DestinationPassphrase = "another passphrase for the copy";
    private readonly TempRepository _source = new();
    private readonly TempRepository _destination = new();

    public void Dispose()
    {
        _source.Dispose();
        _destination.Dispose();
    }

    /// <summary>A committed backup of one file of random bytes (many chunks).</summary>
    private static async Task<(Manifest Manifest, byte[] Data)> BackupRandomFileAsync(BackupRepository repository, int size, params string[] tags)
    {
        var data = RandomNumberGenerator.GetBytes(size);
        var stats = new WriteStats();
        var file = await repository.WriteStreamAsync("database.dump", new MemoryStream(data), stats);
        var manifest = new Manifest
        {
            Id = Manifest.NewId(DateTimeOffset.UtcNow), Tags = tags.ToList(), StartTime = DateTimeOffset.UtcNow, EndTime = DateTimeOffset.UtcNow,
            Components = { new ComponentEntry { Type = "database", Name = "app", Source = { ["host"] = "db" }, Files = { file } } },
        };
        stats.CopyTo(manifest.Stats);
        await repository.SaveManifestAsync(manifest);
        return (manifest, data);
    }

    private static Task<CopyBackupOutcome> CopyAsync(BackupRepository from, BackupRepository to, string id, bool skipExisting = false)
        => CopyBackup.RunAsync(from, to, new CopyBackupRequest { BackupId = id, SkipExisting = skipExisting }, null, NullBackupLog.Instance);

    private async Task<BackupRepository> CreateDestinationAsync()
        => await BackupRepository.CreateAsync(_destination.Store, DestinationPassphrase, TempRepository.FastOptions());

    [Fact]
    public async Task Copy_reseals_under_the_destination_key_keeps_id_and_tags_and_reads_back_the_same_bytes()
    {
        using var source = await _source.CreateAsync();
        using var destination = await CreateDestinationAsync();
        var (original, data) = await BackupRandomFileAsync(source, 700_000, "monthly");

        var outcome = await CopyAsync(source, destination, original.Id);

        Assert.False(outcome.Skipped);
        Assert.Equal(data.Length, outcome.BytesRead);
        Assert.Equal(outcome.ChunksTotal, outcome.ChunksNew);
        // A fresh unlock with the destination's own passphrase reads the copy; the source's passphrase does not open it.
        using var reopened = await BackupRepository.OpenAsync(_destination.Store, DestinationPassphrase);
        var copy = await reopened.LoadManifestAsync(original.Id);
        Assert.Equal(new[] { "monthly" }, copy.Tags);
        Assert.Equal(source.Id, copy.CopiedFrom!.RepositoryId);
        Assert.Equal(source.Location, copy.CopiedFrom.Repository);
        Assert.Equal("Quick", Assert.Single(copy.Verifications).Level);
        // Different keys: the chunk ids differ, the plaintext is the same.
        Assert.Empty(copy.Components[0].Files[0].Chunks.Select(c => c.Id).Intersect(original.Components[0].Files[0].Chunks.Select(c => c.Id)));
        var readBack = new MemoryStream();
        await reopened.ReadFileAsync(copy.Components[0].Files[0], readBack);
        Assert.Equal(data, readBack.ToArray());
        Assert.All(await reopened.VerifyAsync(copy, VerifyLevel.Full), c => Assert.True(c.Success, string.Join("; ", c.Errors)));
        await Assert.ThrowsAsync<BackupToolsException>(() => BackupRepository.OpenAsync(_destination.Store, TempRepository.Passphrase));
    }

    [Fact]
    public async Task A_second_copy_uploads_only_the_chunks_the_destination_lacks()
    {
        using var source = await _source.CreateAsync();
        using var destination = await CreateDestinationAsync();
        var (first, data) = await BackupRandomFileAsync(source, 1_000_000);
        await CopyAsync(source, destination, first.Id);
        var chunkObjects = _destination.ChunkFiles().Length;

        // The same stream with a small change at its end: most chunks are equal.
        data[^10] ^= 0xFF;
        var stats = new WriteStats();
        var file = await source.WriteStreamAsync("database.dump", new MemoryStream(data), stats);
        var second = new Manifest { Id = Manifest.NewId(DateTimeOffset.UtcNow.AddSeconds(1)), Components = { new ComponentEntry { Files = { file } } } };
        await source.SaveManifestAsync(second);
        var outcome = await CopyAsync(source, destination, second.Id);

        Assert.InRange(outcome.ChunksNew, 1, 2);
        Assert.True(outcome.ChunksTotal > 5, $"{outcome.ChunksTotal} chunks");
        Assert.Equal(chunkObjects + outcome.ChunksNew, _destination.ChunkFiles().Length);
    }

    [Fact]
    public async Task An_id_the_destination_holds_is_refused_or_skipped_when_asked()
    {
        using var source = await _source.CreateAsync();
        using var destination = await CreateDestinationAsync();
        var (original, _) = await BackupRandomFileAsync(source, 100_000);
        await CopyAsync(source, destination, original.Id);

        var refused = await Assert.ThrowsAsync<BackupToolsException>(() => CopyAsync(source, destination, original.Id));
        Assert.Equal(BackupErrorKind.InvalidOperation, refused.Kind);
        Assert.Contains(original.Id, refused.Message);

        var skipped = await CopyAsync(source, destination, original.Id, skipExisting: true);
        Assert.True(skipped.Skipped);
        Assert.Equal(0, skipped.ChunksNew);
        Assert.Equal(original.Id, skipped.Manifest.Id);
    }

    [Fact]
    public async Task A_damaged_source_chunk_fails_the_copy_and_leaves_no_manifest_in_the_destination()
    {
        using var source = await _source.CreateAsync();
        using var destination = await CreateDestinationAsync();
        var (original, _) = await BackupRandomFileAsync(source, 600_000);
        var victim = _source.PathOfChunk(original.Components[0].Files[0].Chunks[3].Id);
        var bytes = File.ReadAllBytes(victim);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(victim, bytes);

        var error = await Assert.ThrowsAsync<BackupToolsException>(() => CopyAsync(source, destination, original.Id));

        Assert.Equal(BackupErrorKind.Corrupt, error.Kind);
        Assert.False(await destination.ContainsBackupAsync(original.Id));
        Assert.Empty(await destination.ListManifestsAsync());
    }

    [Fact]
    public async Task Copying_into_the_same_repository_or_an_unknown_id_is_refused()
    {
        using var source = await _source.CreateAsync();
        using var destination = await CreateDestinationAsync();
        var (original, _) = await BackupRandomFileAsync(source, 10_000);
        using var sameAgain = await _source.OpenAsync();

        var same = await Assert.ThrowsAsync<BackupToolsException>(() => CopyAsync(source, sameAgain, original.Id));
        Assert.Equal(BackupErrorKind.InvalidArgument, same.Kind);
        var unknown = await Assert.ThrowsAsync<BackupToolsException>(() => CopyAsync(source, destination, "20200101T000000Z-abcdef"));
        Assert.Equal(BackupErrorKind.NotFound, unknown.Kind);
        Assert.Contains("20200101T000000Z-abcdef", unknown.Message);
    }
}
