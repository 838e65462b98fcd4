using BackupTools.Core.Storage;
using Xunit;

namespace BackupTools.Tests.Storage;

/// <summary>
/// The behaviours every <see cref="IBlobStore"/> must have. A derived class supplies a fresh, empty
/// store per test; the same facts then run against each implementation.
/// </summary>
public abstract class BlobStoreConformance : IAsyncLifetime
{
    private IBlobStore? _store;

    /// <summary>The store under test: empty at the start of each test.</summary>
    protected IBlobStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>Creates an empty store for one test.</summary>
    protected abstract Task<IBlobStore> CreateStoreAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public Task DisposeAsync()
    {
        _store?.Dispose();
        return Task.CompletedTask;
    }

    protected static byte[] Bytes(int length, int seed = 1)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private async Task<List<BlobInfo>> ListAll(string prefix)
    {
        var items = new List<BlobInfo>();
        await foreach (var item in Store.ListAsync(prefix)) items.Add(item);
        return items;
    }

    [Fact]
    public async Task Put_then_get_returns_the_same_bytes()
    {
        var data = Bytes(1000);
        await Store.PutAsync("data/ab/object", data);
        Assert.Equal(data, await Store.GetAsync("data/ab/object"));
    }

    [Fact]
    public async Task Put_overwrites_an_existing_object()
    {
        await Store.PutAsync("config.json", Bytes(500, seed: 1));
        var second = Bytes(120, seed: 2);
        await Store.PutAsync("config.json", second);
        Assert.Equal(second, await Store.GetAsync("config.json"));
        Assert.Equal(120, (await Store.StatAsync("config.json"))!.Size);
    }

    [Fact]
    public async Task Get_of_a_missing_object_throws_BlobNotFound_naming_the_key()
    {
        var e = await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.GetAsync("snapshots/missing"));
        Assert.Equal("snapshots/missing", e.Key);
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.GetRangeAsync("snapshots/missing", 0, 10));
    }

    [Fact]
    public async Task Range_reads_return_the_requested_bytes_and_fewer_at_the_end()
    {
        var data = Bytes(1000);
        await Store.PutAsync("pack", data);
        Assert.Equal(data[100..150], await Store.GetRangeAsync("pack", 100, 50));
        Assert.Equal(data[0..1], await Store.GetRangeAsync("pack", 0, 1));
        Assert.Equal(data[990..], await Store.GetRangeAsync("pack", 990, 100));
        Assert.Empty(await Store.GetRangeAsync("pack", 1000, 10));
        Assert.Empty(await Store.GetRangeAsync("pack", 5000, 10));
    }

    [Fact]
    public async Task Stat_gives_size_and_time_or_null()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);
        await Store.PutAsync("keys/k1", Bytes(321));
        var info = await Store.StatAsync("keys/k1");
        Assert.NotNull(info);
        Assert.Equal("keys/k1", info.Key);
        Assert.Equal(321, info.Size);
        Assert.InRange(info.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Null(await Store.StatAsync("keys/k2"));
    }

    [Fact]
    public async Task List_by_prefix_is_recursive_and_exact()
    {
        string[] keys = ["data/00/a", "data/00/b", "data/ff/c", "data/ff/deep/d", "snapshots/s1", "datafile", "locks/l1"];
        foreach (var (key, i) in keys.Select((k, i) => (k, i))) await Store.PutAsync(key, Bytes(i + 1, i));

        var data = await ListAll("data/");
        Assert.Equal(["data/00/a", "data/00/b", "data/ff/c", "data/ff/deep/d"], data.Select(b => b.Key).Order());
        Assert.Equal(4, data.Single(b => b.Key == "data/ff/deep/d").Size);

        Assert.Equal(["data/ff/c", "data/ff/deep/d"], (await ListAll("data/ff/")).Select(b => b.Key).Order());
        Assert.Equal(["data/00/a", "data/00/b", "data/ff/c", "data/ff/deep/d", "datafile"], (await ListAll("data")).Select(b => b.Key).Order());
        Assert.Equal(keys.Order(), (await ListAll("")).Select(b => b.Key).Order());
        Assert.Empty(await ListAll("wal/"));
    }

    [Fact]
    public async Task List_returns_every_key_past_a_thousand()
    {
        const int count = 1234;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, ct) => await Store.PutAsync($"data/{i % 256:x2}/{i:d6}", new byte[] { (byte)i }, ct));
        var listed = await ListAll("data/");
        Assert.Equal(count, listed.Count);
        Assert.Equal(count, listed.Select(b => b.Key).Distinct().Count());
    }

    [Fact]
    public async Task Delete_removes_and_is_idempotent()
    {
        await Store.PutAsync("locks/writer", Bytes(10));
        await Store.DeleteAsync("locks/writer");
        Assert.Null(await Store.StatAsync("locks/writer"));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.GetAsync("locks/writer"));
        await Store.DeleteAsync("locks/writer");
        await Store.DeleteAsync("never/existed");
        Assert.Empty(await ListAll("locks/"));
    }

    [Theory]
    [InlineData("config.json")]
    [InlineData("keys/3fa9c1d2e4b5a6978877665544332211")]
    [InlineData("data/ab/ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12")]
    [InlineData("snapshots/20261125T190102Z-3fa9c1")]
    [InlineData("wal/000000010000000000000001")]
    [InlineData("wal/00000002.history")]
    [InlineData("locks/20261125T190102Z-host-1234.json")]
    public async Task Keys_of_the_repository_shapes_round_trip(string key)
    {
        var data = Bytes(64);
        await Store.PutAsync(key, data);
        Assert.Equal(data, await Store.GetAsync(key));
        Assert.Contains(key, (await ListAll("")).Select(b => b.Key));
    }

    [Fact]
    public async Task Zero_byte_object_exists_and_is_empty()
    {
        await Store.PutAsync("empty", ReadOnlyMemory<byte>.Empty);
        Assert.Empty(await Store.GetAsync("empty"));
        Assert.Equal(0, (await Store.StatAsync("empty"))!.Size);
        Assert.Empty(await Store.GetRangeAsync("empty", 0, 10));
        Assert.Equal(0, (await ListAll("")).Single().Size);
    }

    [Fact]
    public async Task Five_megabyte_object_keeps_its_exact_size_and_bytes()
    {
        var data = Bytes(5 * 1024 * 1024 + 7);
        await Store.PutAsync("data/5m/big", data);
        Assert.Equal(data.Length, (await Store.StatAsync("data/5m/big"))!.Size);
        Assert.Equal(data.Length, (await ListAll("data/5m/")).Single().Size);
        Assert.Equal(data, await Store.GetAsync("data/5m/big"));
        Assert.Equal(data[(3 * 1024 * 1024)..(3 * 1024 * 1024 + 4096)], await Store.GetRangeAsync("data/5m/big", 3 * 1024 * 1024, 4096));
    }

    [Fact]
    public async Task Put_of_a_slice_stores_only_the_slice()
    {
        var data = Bytes(100);
        await Store.PutAsync("slice", data.AsMemory(10, 20));
        Assert.Equal(data[10..30], await Store.GetAsync("slice"));
    }

    [Theory]
    [InlineData("/abs")]
    [InlineData("a//b")]
    [InlineData("../escape")]
    [InlineData("a\\b")]
    public async Task Invalid_keys_are_rejected(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(key, Bytes(1)));
    }
}
