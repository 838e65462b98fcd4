using System.Runtime.CompilerServices;

namespace BackupTools.Core.Storage;

/// <summary>
/// A repository in a local folder. Writes go to a temporary file beside the target and are renamed
/// into place, so a reader (or a crash) never sees half an object.
/// </summary>
public sealed class LocalBlobStore : IBlobStore
{
    private readonly string _root;

    public LocalBlobStore(string root)
    {
        _root = Path.GetFullPath(root);
    }

    public string Location => _root;

    private string PathOf(string key)
    {
        return Path.Combine(_root, BlobKey.Validate(key).Replace('/', Path.DirectorySeparatorChar));
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            await using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                await fs.WriteAsync(data, ct).ConfigureAwait(false);
                fs.Flush(flushToDisk: false);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch { /* best effort */ }
            throw;
        }
    }

    public async Task<byte[]> GetAsync(string key, CancellationToken ct = default)
    {
        try
        {
            return await File.ReadAllBytesAsync(PathOf(key), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(key, e);
        }
    }

    public async Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken ct = default)
    {
        try
        {
            await using var fs = new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);
            if (offset >= fs.Length) return Array.Empty<byte>();
            fs.Position = offset;
            var n = (int)Math.Min(length, fs.Length - offset);
            var buf = new byte[n];
            await fs.ReadExactlyAsync(buf, ct).ConfigureAwait(false);
            return buf;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(key, e);
        }
    }

    public Task<BlobInfo?> StatAsync(string key, CancellationToken ct = default)
    {
        var fi = new FileInfo(PathOf(key));
        return Task.FromResult(fi.Exists ? new BlobInfo(key, fi.Length, fi.LastWriteTimeUtc) : null);
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        // The folder part of the prefix narrows the walk; the rest filters names.
        var slash = prefix.LastIndexOf('/');
        var dirKey = slash >= 0 ? prefix[..slash] : "";
        var dir = dirKey.Length == 0 ? _root : Path.Combine(_root, dirKey.Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(dir)) yield break;
        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            ct.ThrowIfCancellationRequested();
            var key = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (!key.StartsWith(prefix, StringComparison.Ordinal) || key.Contains(".tmp-")) continue;
            var fi = new FileInfo(file);
            if (!fi.Exists) continue;
            yield return new BlobInfo(key, fi.Length, fi.LastWriteTimeUtc);
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task DeleteAsync(string key, CancellationToken ct = default)
    {
        try { File.Delete(PathOf(key)); }
        catch (DirectoryNotFoundException) { }
        return Task.CompletedTask;
    }

    public void Dispose() { }
}
