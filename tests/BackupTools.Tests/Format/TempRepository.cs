using BackupTools.Core.Repository;
using BackupTools.Core.Storage;

namespace BackupTools.Tests.Format;

/// <summary>A throwaway folder with a LocalBlobStore and fast (weak) KDF parameters; deleted on dispose.</summary>
public sealed class TempRepository : IDisposable
{
    public const string Passphrase = "correct horse battery staple";

    public TempRepository()
    {
        Folder = Path.Combine(Path.GetTempPath(), "bt-format-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        Store = new LocalBlobStore(Folder);
    }

    public string Folder { get; }
    public LocalBlobStore Store { get; }

    /// <summary>Small KDF so tests stay fast; small chunks so tests have many of them.</summary>
    public static RepositoryCreateOptions FastOptions(int avg = 64 * 1024) => new()
    {
        KdfMemoryKiB = 1024, KdfIterations = 1, KdfParallelism = 1,
        ChunkMinSize = avg / 4, ChunkAverageSize = avg, ChunkMaxSize = avg * 8,
    };

    public Task<BackupRepository> CreateAsync(RepositoryCreateOptions? options = null)
        => BackupRepository.CreateAsync(Store, Passphrase, options ?? FastOptions());

    public Task<BackupRepository> OpenAsync(string passphrase = Passphrase) => BackupRepository.OpenAsync(Store, passphrase);

    public string[] ChunkFiles() => Directory.GetFiles(Path.Combine(Folder, "data"), "*", SearchOption.AllDirectories);

    public string PathOfChunk(string id) => Path.Combine(Folder, "data", id[..2], id);

    public void Dispose()
    {
        Store.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Reproducible test data.</summary>
public static class TestData
{
    /// <summary>Random bytes (incompressible) from a seed.</summary>
    public static byte[] Random(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>Alternating blocks of random bytes and compressible text, about <paramref name="length"/> bytes.</summary>
    public static byte[] Mixed(int length, int seed)
    {
        var random = new Random(seed);
        using var stream = new MemoryStream();
        var line = System.Text.Encoding.UTF8.GetBytes("42\talice@example.com\t2024-01-01 00:00:00+00\tsome repeated text row\n");
        while (stream.Length < length)
        {
            var block = new byte[random.Next(64 * 1024, 512 * 1024)];
            if (random.Next(2) == 0) random.NextBytes(block);
            else for (var i = 0; i < block.Length; i++) block[i] = line[i % line.Length];
            stream.Write(block, 0, (int)Math.Min(block.Length, length - stream.Length));
        }
        return stream.ToArray();
    }
}
