using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Tests.EndToEnd;
using BackupTools.Tests.Format;

namespace BackupTools.Tests.Retention;

/// <summary>A repository on a real store (a local folder or a bucket on the run's s3rver) and backups of test data in it.</summary>
internal sealed class PruneTestKit : IDisposable
{
    private readonly TempRepository? _local;

    private PruneTestKit(IBlobStore store, TempRepository? local)
    {
        Store = store;
        _local = local;
    }

    /// <summary>The store the repository lives in.</summary>
    public IBlobStore Store { get; }

    /// <summary>A fresh store: "local" (a temp folder) or "s3" (a new bucket on s3rver).</summary>
    public static async Task<PruneTestKit> CreateAsync(string kind)
    {
        if (kind == "local")
        {
            var temp = new TempRepository();
            return new PruneTestKit(temp.Store, temp);
        }
        var s3 = await EndToEndHelpers.S3Async();
        var bucket = await s3.CreateBucketAsync("prune");
        return new PruneTestKit(BlobStoreFactory.Open(EndToEndHelpers.S3Location(s3, bucket, "repo")), null);
    }

    public Task<BackupRepository> CreateRepositoryAsync() => BackupRepository.CreateAsync(Store, TempRepository.Passphrase, TempRepository.FastOptions());

    /// <summary>A second, independent instance on the same store (as another process would open it).</summary>
    public Task<BackupRepository> OpenAsync() => BackupRepository.OpenAsync(Store, TempRepository.Passphrase);

    /// <summary>Keys and sizes of every object under <paramref name="prefix"/>.</summary>
    public async Task<Dictionary<string, long>> ObjectsAsync(string prefix)
    {
        var objects = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var blob in Store.ListAsync(prefix)) objects[blob.Key] = blob.Size;
        return objects;
    }

    /// <summary>1 MiB shared by every backup, then 512 KiB of random bytes unique to <paramref name="seed"/>.</summary>
    public static byte[] Data(int seed) => [.. TestData.Mixed(1 << 20, 1), .. TestData.Random(512 * 1024, 1000 + seed)];

    /// <summary>A backup the way the engine takes one: a shared lock, the stream's chunks, then the manifest.</summary>
    public static async Task<Manifest> BackupAsync(BackupRepository repository, Stream data, DateTimeOffset time, string kind = "logical")
    {
        await using var held = await repository.LockAsync(false, "test backup");
        var stats = new WriteStats();
        var file = await repository.WriteStreamAsync("data.bin", data, stats);
        var manifest = new Manifest
        {
            Id = Manifest.NewId(time), Kind = kind, StartTime = time, EndTime = time, Tags = { "test" },
            Components = { new ComponentEntry { Type = "database", Name = "app", Files = { file } } },
        };
        stats.CopyTo(manifest.Stats);
        await repository.SaveManifestAsync(manifest);
        return manifest;
    }

    public void Dispose()
    {
        if (_local is null) Store.Dispose();
        else _local.Dispose();
    }
}

/// <summary>A stream that serves <c>data</c> but stops at <c>pauseAt</c> until <see cref="Resume"/>; <see cref="Paused"/> completes when it gets there.</summary>
internal sealed class PausingStream(byte[] data, int pauseAt) : Stream
{
    private readonly TaskCompletionSource _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _position;

    public Task Paused => _paused.Task;
    public void Resume() => _resume.TrySetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (_position == pauseAt)
        {
            _paused.TrySetResult();
            await _resume.Task.WaitAsync(ct);
        }
        var end = _position < pauseAt ? pauseAt : data.Length;
        var n = Math.Min(buffer.Length, end - _position);
        data.AsMemory(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => data.Length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
