namespace BackupTools.Core.Operations;

/// <summary>
/// A private file being written (the verified dump, chunk by chunk) while readers follow behind it, each at its own
/// pace: what a reader gets has already been written and checked, and a reader that catches up waits for more. The
/// writer ends it with <see cref="Complete"/>; a failed write ends every reader with that failure.
/// </summary>
internal sealed class FollowedSpool : Stream
{
    private const int FollowBufferBytes = 1 << 20;
    private readonly FileStream _file;
    private long _written;
    private bool _complete;
    private Exception? _failure;
    private TaskCompletionSource _changed = NewSignal();

    private FollowedSpool(string path, FileStream file)
    {
        SpoolPath = path;
        _file = file;
    }

    /// <summary>The file's path (readable by other processes once <see cref="WaitForAsync"/> says enough is there).</summary>
    public string SpoolPath { get; }

    /// <summary>Creates the file (it must not exist; owner read/write only on Unix).</summary>
    public static FollowedSpool Create(string path)
    {
        // Unbuffered: every write reaches the file at once, so followers (other handles) see it.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 0 };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return new FollowedSpool(path, new FileStream(path, options));
    }

    /// <summary>Whether the writer has ended the file (<see cref="Complete"/>).</summary>
    public bool IsComplete => Volatile.Read(ref _complete);

    /// <summary>Ends the file: readers drain what is there and stop; with <paramref name="failure"/> they throw it instead.</summary>
    public void Complete(Exception? failure)
    {
        _failure = failure;
        Volatile.Write(ref _complete, true);
        Signal();
    }

    /// <summary>Waits until at least <paramref name="length"/> bytes are written or the file is complete; throws the writer's failure.</summary>
    public async Task WaitForAsync(long length, CancellationToken ct)
    {
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            ThrowIfFailed();
            if (Volatile.Read(ref _written) >= length || Volatile.Read(ref _complete)) return;
            await changed.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Copies the whole file, as it grows, into <paramref name="destination"/>; returns once the complete file is copied.</summary>
    public async Task FollowAsync(Stream destination, CancellationToken ct)
    {
        await using var reader = new FileStream(SpoolPath, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite, BufferSize = 0 });
        var buffer = new byte[FollowBufferBytes];
        long position = 0;
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            ThrowIfFailed();
            var complete = Volatile.Read(ref _complete);
            var available = Volatile.Read(ref _written) - position;
            if (available > 0)
            {
                var n = await reader.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, available)), ct).ConfigureAwait(false);
                if (n == 0) throw new InvalidOperationException($"The spool file '{SpoolPath}' is shorter than what was written into it.");
                await destination.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                position += n;
            }
            else if (complete) return;
            else await changed.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _complete) && _failure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_failure);
    }

    private void Signal() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _file.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _written, buffer.Length);
        Signal();
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        _file.Write(buffer, offset, count);
        Interlocked.Add(ref _written, count);
        Signal();
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => Volatile.Read(ref _written);
    public override long Position { get => Length; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (!Volatile.Read(ref _complete)) Complete(new ObjectDisposedException(nameof(FollowedSpool)));
            _file.Dispose();
        }
        base.Dispose(disposing);
    }
}
