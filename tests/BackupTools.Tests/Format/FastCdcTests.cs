using BackupTools.Core;
using BackupTools.Core.Chunking;
using Xunit;

namespace BackupTools.Tests.Format;

public class FastCdcTests
{
    private static List<(int Offset, int Length)> Chunks(FastCdc cdc, byte[] data)
    {
        var result = new List<(int, int)>();
        for (var offset = 0; offset < data.Length;)
        {
            var length = cdc.NextCut(data.AsSpan(offset));
            result.Add((offset, length));
            offset += length;
        }
        return result;
    }

    [Fact]
    public void Boundaries_are_deterministic_and_sizes_within_bounds()
    {
        var data = TestData.Random(20 << 20, 1);
        var cdc = new FastCdc(64 * 1024, 256 * 1024, 2 << 20, seed: 7);
        var first = Chunks(cdc, data);
        var again = Chunks(new FastCdc(64 * 1024, 256 * 1024, 2 << 20, seed: 7), data);

        Assert.Equal(first, again);
        Assert.Equal(data.Length, first.Sum(c => c.Length));
        Assert.All(first.SkipLast(1), c => Assert.InRange(c.Length, 64 * 1024, 2 << 20));
        var average = first.Average(c => c.Length);
        Assert.InRange(average, 128 * 1024, 512 * 1024);
    }

    [Fact]
    public void Another_seed_gives_other_boundaries()
    {
        var data = TestData.Random(4 << 20, 2);
        var a = Chunks(new FastCdc(16 * 1024, 64 * 1024, 512 * 1024, 1), data);
        var b = Chunks(new FastCdc(16 * 1024, 64 * 1024, 512 * 1024, 2), data);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void An_insertion_in_the_middle_changes_only_nearby_chunks()
    {
        var data = TestData.Random(20 << 20, 3);
        var inserted = data.Take(10 << 20).Concat(TestData.Random(1000, 4)).Concat(data.Skip(10 << 20)).ToArray();
        var cdc = new FastCdc(64 * 1024, 256 * 1024, 2 << 20, seed: 11);
        static HashSet<string> Hashes(byte[] d, List<(int Offset, int Length)> chunks)
            => chunks.Select(c => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(d.AsSpan(c.Offset, c.Length)))).ToHashSet();
        var before = Hashes(data, Chunks(cdc, data));
        var after = Hashes(inserted, Chunks(cdc, inserted));

        var changed = after.Count(h => !before.Contains(h));
        Assert.True(before.Count > 40, $"only {before.Count} chunks");
        Assert.InRange(changed, 1, 3);
    }

    [Fact]
    public void A_short_stream_is_one_chunk()
    {
        var cdc = new FastCdc(64 * 1024, 256 * 1024, 2 << 20, 0);
        Assert.Equal(1000, cdc.NextCut(new byte[1000]));
        Assert.Equal(2 << 20, cdc.NextCut(new byte[5 << 20])); // zeros never match: forced cut at max
    }

    [Fact]
    public void Invalid_sizes_are_refused_naming_them()
    {
        var e = Assert.Throws<BackupToolsException>(() => new FastCdc(1024, 3000, 8192, 0));
        Assert.Equal(BackupErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("3000", e.Message);
    }
}
