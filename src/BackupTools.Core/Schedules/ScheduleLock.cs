namespace BackupTools.Core.Schedules;

/// <summary>
/// The exclusive lock that keeps Invoke-BackupSchedule from overlapping itself: the lock file opened with no sharing
/// (an OS-level lock, released by the kernel when the holder exits, so a crashed run never leaves it stuck), holding
/// the holder's PID and start time for people looking at it.
/// </summary>
public sealed class ScheduleLock : IDisposable
{
    private readonly FileStream _stream;

    private ScheduleLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock at <paramref name="path"/>, or returns null at once when another run holds it.</summary>
    public static ScheduleLock? TryAcquire(string path, DateTimeOffset now)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null; // held by another run (a sharing violation)
        }
        stream.SetLength(0);
        using (var writer = new StreamWriter(stream, leaveOpen: true))
            writer.Write($"{Environment.ProcessId} {now:O}\n");
        stream.Flush(flushToDisk: true);
        return new ScheduleLock(stream);
    }

    /// <summary>Releases the lock (the file stays, emptied, for the next run).</summary>
    public void Dispose()
    {
        _stream.SetLength(0);
        _stream.Dispose();
    }
}
