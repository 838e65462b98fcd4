using BackupTools.Core.Repository;
using Xunit;

namespace BackupTools.Tests.Format;

/// <summary>The expected-size hint of a stored stream changes the read buffer only: never the stored bytes, and the chunks only when wrong.</summary>
public sealed class ExpectedSizeTests
{
    private static async Task<(FileEntry File, byte[] ReadBack)> RoundTripAsync(BackupRepository repository, byte[] data, long? expectedSize)
    {
        var file = await repository.WriteStreamAsync("object", new MemoryStream(data), new WriteStats(), options: new StreamWriteOptions { ExpectedSize = expectedSize });
        var output = new MemoryStream();
        await repository.ReadFileAsync(file, output);
        return (file, output.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100_000)]
    [InlineData(700_000)] // a few chunks (avg 64 KiB, max 512 KiB)
    public async Task A_right_hint_gives_the_same_chunks_as_no_hint(int length)
    {
        using var temp = new TempRepository();
        using var repository = await temp.CreateAsync();
        var data = TestData.Mixed(length, length);

        var plain = await RoundTripAsync(repository, data, null);
        var hinted = await RoundTripAsync(repository, data, length);

        Assert.Equal(data, hinted.ReadBack);
        Assert.Equal(plain.File.Chunks.Select(c => c.Id), hinted.File.Chunks.Select(c => c.Id));
        Assert.Equal(plain.File.Sha256, hinted.File.Sha256);
    }

    [Fact]
    public async Task A_hint_far_too_small_still_stores_the_stream_exactly()
    {
        using var temp = new TempRepository();
        using var repository = await temp.CreateAsync();
        var data = TestData.Mixed(3 << 20, 9);

        var (file, readBack) = await RoundTripAsync(repository, data, 10);

        Assert.Equal(data.Length, file.Size);
        Assert.Equal(data, readBack);
    }
}
