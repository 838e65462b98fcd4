using System.Buffers;
using Amazon.S3.Model;
using BackupTools.Core.Repository;

namespace BackupTools.Core.Sources.ObjectStorage;

/// <summary>
/// A write-only stream that uploads what is written to it as the parts of one multipart upload (each part buffered,
/// then sent; memory stays one part). <see cref="CompleteAsync"/> sends the last part and completes the object;
/// disposing without completing abandons the upload, so a failed restore leaves no partial object behind.
/// </summary>
internal sealed class MultipartUploadStream : Stream
{
    private readonly ObjectStorageClient _client;
    private readonly string _bucket;
    private readonly string _key;
    private readonly string _uploadId;
    private readonly byte[] _part;
    private readonly List<PartETag> _parts = new();
    private int _filled;
    private bool _completed;
    private bool _disposed;

    private MultipartUploadStream(ObjectStorageClient client, string bucket, string key, string uploadId, int partSize)
    {
        _client = client;
        _bucket = bucket;
        _key = key;
        _uploadId = uploadId;
        _part = ArrayPool<byte>.Shared.Rent(partSize);
        PartSize = partSize;
    }

    /// <summary>Bytes per part (the last may be smaller).</summary>
    public int PartSize { get; }

    /// <summary>Starts the upload of <paramref name="metadata"/>'s key into <paramref name="bucket"/> with its headers and user metadata.</summary>
    public static async Task<MultipartUploadStream> StartAsync(ObjectStorageClient client, string bucket, ObjectMetadata metadata, int partSize, CancellationToken ct)
    {
        var uploadId = await client.StartMultipartAsync(bucket, metadata.Key, metadata, ct).ConfigureAwait(false);
        return new MultipartUploadStream(client, bucket, metadata.Key, uploadId, partSize);
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (buffer.Length > 0)
        {
            var n = Math.Min(buffer.Length, PartSize - _filled);
            buffer[..n].CopyTo(_part.AsMemory(_filled));
            _filled += n;
            buffer = buffer[n..];
            if (_filled == PartSize) await SendPartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    private async Task SendPartAsync(CancellationToken ct)
    {
        _parts.Add(await _client.UploadPartAsync(_bucket, _key, _uploadId, _parts.Count + 1, _part.AsMemory(0, _filled), ct).ConfigureAwait(false));
        _filled = 0;
    }

    /// <summary>Sends what is left as the last part and completes the object.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        if (_filled > 0 || _parts.Count == 0) await SendPartAsync(ct).ConfigureAwait(false);
        await _client.CompleteMultipartAsync(_bucket, _key, _uploadId, _parts, ct).ConfigureAwait(false);
        _completed = true;
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_completed) await _client.AbortMultipartAsync(_bucket, _key, _uploadId).ConfigureAwait(false);
        ArrayPool<byte>.Shared.Return(_part);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override bool CanRead => false;
    /// <inheritdoc />
    public override bool CanSeek => false;
    /// <inheritdoc />
    public override bool CanWrite => true;
    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();
    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    /// <inheritdoc />
    public override void Flush() { }
    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();
}
