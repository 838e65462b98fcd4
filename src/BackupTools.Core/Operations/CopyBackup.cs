using System.Diagnostics;
using System.IO.Pipelines;
using System.Text.Json;
using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;

namespace BackupTools.Core.Operations;

/// <summary>What Copy-Backup asks for.</summary>
public sealed class CopyBackupRequest
{
    /// <summary>The backup to copy, by id.</summary>
    public required string BackupId { get; init; }
    /// <summary>When the destination already holds the id: false = InvalidOperation, true = nothing is copied and the result says Skipped.</summary>
    public bool SkipExisting { get; init; }
    /// <summary>How the copy is checked before its manifest is committed (Quick by default).</summary>
    public VerifyLevel Verify { get; init; } = VerifyLevel.Quick;
}

/// <summary>What one copy did.</summary>
public sealed class CopyBackupOutcome
{
    /// <summary>The backup id (the same in both repositories).</summary>
    public string BackupId { get; init; } = "";
    /// <summary>True when the destination already held the backup and nothing was copied.</summary>
    public bool Skipped { get; init; }
    /// <summary>The manifest as committed in the destination (the destination's own when skipped).</summary>
    public Manifest Manifest { get; init; } = new();
    /// <summary>Plaintext bytes read from the source and re-chunked.</summary>
    public long BytesRead { get; init; }
    /// <summary>Sealed bytes uploaded to the destination (chunks it lacked).</summary>
    public long BytesAdded { get; init; }
    /// <summary>Chunks the copy references in the destination.</summary>
    public int ChunksTotal { get; init; }
    /// <summary>Chunks the destination lacked and received.</summary>
    public int ChunksNew { get; init; }
    /// <summary>How long the copy (with its verification) took.</summary>
    public TimeSpan Duration { get; init; }
}

/// <summary>
/// Copy-Backup: replicates one backup into another repository. Each repository has its own master key, chunker
/// seed and id key, so chunk ids differ between them: every file of the manifest is read back from the source
/// (authenticated and hash-checked on the way) and written into the destination, whose dedup uploads only the
/// chunks it lacks, sealed under its own key. The manifest is committed last, with the same id and a
/// <see cref="Manifest.CopiedFrom"/> record, and only after the copied chunks pass verification.
/// </summary>
public static class CopyBackup
{
    /// <summary>How much plaintext may wait between the source's reader and the destination's writer (per file).</summary>
    private const long PipeBufferBytes = 16 << 20;
    /// <summary>How many files are copied at once (as many objects as a storage backup reads at once by default).</summary>
    private const int FilesAtOnce = 8;
    /// <summary>A file larger than this is copied while no other large one is (each holds a pipe and chunk buffers).</summary>
    private const long LargeFileBytes = 64L << 20;

    /// <summary>
    /// Copies <see cref="CopyBackupRequest.BackupId"/> from <paramref name="source"/> to <paramref name="destination"/>.
    /// InvalidArgument when both are the same repository; NotFound for an unknown id; InvalidOperation when the
    /// destination already holds it (unless SkipExisting); Corrupt when the source does not read back or the copy
    /// fails verification (the manifest is then not committed, so no half copy is visible).
    /// </summary>
    public static async Task<CopyBackupOutcome> RunAsync(BackupRepository source, BackupRepository destination, CopyBackupRequest request,
        IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct = default)
    {
        if (source.Id == destination.Id)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                $"Source and destination are the same repository ({destination.Location}); copy to another repository.", destination.Location);
        var clock = Stopwatch.StartNew();
        var original = await source.LoadManifestAsync(request.BackupId, ct).ConfigureAwait(false);
        if (await destination.ContainsBackupAsync(original.Id, ct).ConfigureAwait(false))
            return await SkipAsync(original.Id, destination, request, clock, log, ct).ConfigureAwait(false);

        await using var readLock = await source.LockAsync(false, $"copy of backup {original.Id} to {destination.Location}", ct).ConfigureAwait(false);
        await using var writeLock = await destination.LockAsync(false, $"copy of backup {original.Id} from {source.Location}", ct).ConfigureAwait(false);
        var stats = new WriteStats();
        var copy = await CopyFilesAsync(source, destination, original, stats, progress, ct).ConfigureAwait(false);
        copy.Parent = original.Parent is { } parent && await destination.ContainsBackupAsync(parent, ct).ConfigureAwait(false) ? parent : null;
        copy.CopiedFrom = new CopyOrigin { Repository = source.Location, RepositoryId = source.Id, Time = DateTimeOffset.UtcNow };
        await VerifyAndCommitAsync(destination, copy, request.Verify, progress, ct).ConfigureAwait(false);
        log.Write(LogLevel.Information,
            $"Copied backup {copy.Id} to {destination.Location}: {stats.BytesRead:N0} bytes read, {stats.ChunksNew} of {stats.ChunksTotal} chunks uploaded ({stats.BytesAdded:N0} bytes); {request.Verify} check passed.");
        return new CopyBackupOutcome
        {
            BackupId = copy.Id, Manifest = copy, BytesRead = stats.BytesRead, BytesAdded = stats.BytesAdded,
            ChunksTotal = stats.ChunksTotal, ChunksNew = stats.ChunksNew, Duration = clock.Elapsed,
        };
    }

    /// <summary>The destination already holds the id: InvalidOperation, or a Skipped outcome when that was asked for.</summary>
    private static async Task<CopyBackupOutcome> SkipAsync(string id, BackupRepository destination, CopyBackupRequest request, Stopwatch clock,
        IBackupLog log, CancellationToken ct)
    {
        if (!request.SkipExisting)
            throw new BackupToolsException(BackupErrorKind.InvalidOperation, $"Backup {id} already exists in repository {destination.Location}.", id);
        log.Write(LogLevel.Information, $"Backup {id} is already in repository {destination.Location}; nothing copied.");
        var existing = await destination.LoadManifestAsync(id, ct).ConfigureAwait(false);
        return new CopyBackupOutcome { BackupId = id, Skipped = true, Manifest = existing, Duration = clock.Elapsed };
    }

    /// <summary>
    /// A copy of <paramref name="original"/> whose content was re-chunked into the destination; every other field of each
    /// entry (format, file-system metadata, …) travels as it is, and entries without content (folders, links) need no data.
    /// Its stats are the copy's.
    /// </summary>
    private static async Task<Manifest> CopyFilesAsync(BackupRepository source, BackupRepository destination, Manifest original, WriteStats stats,
        IProgress<ProgressInfo>? progress, CancellationToken ct)
    {
        var copy = Clone(original);
        var total = original.Components.SelectMany(c => c.Files).Sum(f => f.Size);
        var transfer = new TransferProgress(progress, $"Copying backup {original.Id} to {destination.Location}", "re-chunking", total);
        long done = 0;
        // Several files at once: a storage backup is thousands of small objects, each a few round trips to S3 on both
        // sides, which one at a time would wait out in turn. A large file is parallel inside (read-ahead, uploads).
        // Large files one at a time beside the small ones, so memory stays that of one large copy.
        var files = copy.Components.SelectMany(c => c.Files).Where(f => f.Fs is null || f.Fs.IsFile);
        using var largeFile = new SemaphoreSlim(1, 1);
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = FilesAtOnce, CancellationToken = ct }, async (file, token) =>
        {
            var large = file.Size > LargeFileBytes;
            if (large) await largeFile.WaitAsync(token).ConfigureAwait(false);
            try
            {
                long reported = 0;
                file.Chunks = await CopyContentAsync(source, destination, file, stats, new CallbackProgress(bytes =>
                {
                    var added = bytes - reported;
                    reported = bytes;
                    transfer.Report(Interlocked.Add(ref done, added));
                }), token).ConfigureAwait(false);
            }
            finally
            {
                if (large) largeFile.Release();
            }
        }).ConfigureAwait(false);
        stats.CopyTo(copy.Stats);
        copy.Stats.DurationSeconds = original.Stats.DurationSeconds;
        return copy;
    }

    /// <summary>Checks the copied chunks, then commits the manifest with that check as its only verification; Corrupt (nothing committed) when the check fails.</summary>
    private static async Task VerifyAndCommitAsync(BackupRepository destination, Manifest copy, VerifyLevel level, IProgress<ProgressInfo>? progress, CancellationToken ct)
    {
        var record = VerificationRecord.From(level, await destination.VerifyAsync(copy, level, progress, ct).ConfigureAwait(false));
        if (!record.Success)
            throw new BackupToolsException(BackupErrorKind.Corrupt,
                $"The copy of backup {copy.Id} in {destination.Location} failed its {level} check, so it was not committed: {string.Join("; ", record.Errors)}",
                copy.Id);
        copy.Verifications = [record];
        await destination.SaveManifestAsync(copy, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Streams one file out of the source (every chunk authenticated, the file hash checked) into the destination
    /// through an in-process pipe and returns the destination's chunk list; the destination must have stored the same
    /// plaintext (size and SHA-256). A read failure reaches the writer through the pipe, so it is the error thrown.
    /// </summary>
    private static async Task<List<ChunkRef>> CopyContentAsync(BackupRepository source, BackupRepository destination, FileEntry file,
        WriteStats stats, IProgress<long> progress, CancellationToken ct)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PipeBufferBytes, resumeWriterThreshold: PipeBufferBytes / 2));
        var reader = ParallelTasks.FeedPipe(pipe.Writer, output => source.ReadFileAsync(file, output, null, failed.Token));
        FileEntry entry;
        try
        {
            // The copy records a whole-file hash exactly when the source did (a database dump has none).
            entry = await destination.WriteStreamAsync(file.Name, pipe.Reader.AsStream(), stats, progress, failed.Token,
                new StreamWriteOptions { WholeFileHash = file.Sha256 is not null }).ConfigureAwait(false);
        }
        finally
        {
            failed.Cancel(); // stops the reader when the write failed
            await reader.ConfigureAwait(false);
        }
        if (entry.Size != file.Size || !string.Equals(entry.Sha256, file.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new BackupToolsException(BackupErrorKind.Corrupt,
                $"File {file.Name} was copied as {entry.Size} bytes with SHA-256 {entry.Sha256 ?? "(none)"}; the source records {file.Size} bytes, {file.Sha256 ?? "(none)"}.", file.Name);
        return entry.Chunks;
    }

    /// <summary>A deep copy of a manifest (through its JSON form, so every field travels).</summary>
    private static Manifest Clone(Manifest manifest)
        => JsonSerializer.Deserialize<Manifest>(JsonSerializer.SerializeToUtf8Bytes(manifest))!;

    /// <summary>An <see cref="IProgress{T}"/> that calls back synchronously (no captured context).</summary>
    private sealed class CallbackProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
