using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using BackupTools.Core.Operations;

namespace BackupTools.Core.Repository;

/// <summary>Verification of a backup's chunks: Quick (exist at size) or Full (read and check everything).</summary>
public sealed partial class BackupRepository
{
    /// <summary>Parallel object look-ups for a Quick check (I/O bound).</summary>
    private const int QuickParallelism = 16;

    /// <summary>
    /// Quick: manifest opens and every chunk exists at its stored size. Full: every chunk read, authenticated, decompressed,
    /// hash-checked. One result per component (named by its type); a bad chunk is reported in Errors, never thrown.
    /// A physical backup's database component also checks the WAL segments it needs (walStart..walStop).
    /// </summary>
    public async Task<IReadOnlyList<ComponentCheck>> VerifyAsync(Manifest manifest, VerifyLevel level, IProgress<ProgressInfo>? progress = null, CancellationToken ct = default)
    {
        var results = new List<ComponentCheck>();
        foreach (var component in manifest.Components.OrderBy(c => c.Order))
            results.Add(await VerifyComponentAsync(manifest, component, level, progress, ct).ConfigureAwait(false));
        var walErrors = await VerifyBackupWalAsync(manifest, level, ct).ConfigureAwait(false);
        var database = results.FirstOrDefault(r => r.Component == "database");
        if (walErrors.Count > 0 && database is not null)
        {
            database.Errors.AddRange(walErrors);
            database.Success = false;
        }
        return results;
    }

    /// <summary>
    /// Adds a verification result to the backup's manifest and saves it (the newest <see cref="KeptVerifications"/> are
    /// kept), so status reports and retention know which backups were proven good and when. Under a shared lock (no
    /// prune can run) and on the manifest as stored now: a backup removed meanwhile is NotFound, never written back, and
    /// a result recorded by someone else meanwhile is kept. <paramref name="manifest"/> is updated to match.
    /// </summary>
    public async Task RecordVerificationAsync(Manifest manifest, VerificationRecord record, CancellationToken ct = default)
    {
        await using var held = await LockAsync(false, $"recording a verification of backup {manifest.Id}", ct).ConfigureAwait(false);
        var current = await LoadManifestAsync(manifest.Id, ct).ConfigureAwait(false);
        current.Verifications.Add(record);
        if (current.Verifications.Count > KeptVerifications) current.Verifications.RemoveRange(0, current.Verifications.Count - KeptVerifications);
        await SaveManifestAsync(current, ct).ConfigureAwait(false);
        manifest.Verifications.Clear();
        manifest.Verifications.AddRange(current.Verifications);
    }

    /// <summary>How many verification results a manifest keeps.</summary>
    public const int KeptVerifications = 20;

    private async Task<ComponentCheck> VerifyComponentAsync(Manifest manifest, ComponentEntry component, VerifyLevel level, IProgress<ProgressInfo>? progress, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var check = new ComponentCheck { Component = component.Type, Level = level };
        var errors = new ConcurrentBag<string>();
        foreach (var file in component.Files.Where(f => f.Chunks.Sum(c => (long)c.Length) != f.Size))
            errors.Add($"File {ObjectMetadata.Describe(file)}: its chunks add up to {file.Chunks.Sum(c => (long)c.Length)} bytes; the manifest records {file.Size}.");

        // Each distinct chunk once, with the first file that names it (for messages).
        var chunks = component.Files.SelectMany(f => f.Chunks.Select(c => (Chunk: c, File: ObjectMetadata.Describe(f))))
            .DistinctBy(x => x.Chunk.Id).ToList();
        var total = chunks.Sum(x => (long)(level == VerifyLevel.Full ? x.Chunk.Length : x.Chunk.StoredLength));
        long done = 0;
        var activity = $"Verifying backup {manifest.Id} ({component.Type}, {level})";
        var options = new ParallelOptions
        {
            CancellationToken = ct,
            MaxDegreeOfParallelism = level == VerifyLevel.Full ? Environment.ProcessorCount : QuickParallelism,
        };
        await Parallel.ForEachAsync(chunks, options, async (x, token) =>
        {
            var error = level == VerifyLevel.Full ? await CheckChunkFullAsync(x.Chunk, x.File, token).ConfigureAwait(false)
                                                  : await CheckChunkQuickAsync(x.Chunk, x.File, token).ConfigureAwait(false);
            if (error is not null) errors.Add(error);
            var bytes = Interlocked.Add(ref done, level == VerifyLevel.Full ? x.Chunk.Length : x.Chunk.StoredLength);
            progress?.Report(new ProgressInfo(activity, $"{chunks.Count} chunks", bytes, total));
        }).ConfigureAwait(false);

        check.Errors.AddRange(errors.OrderBy(e => e, StringComparer.Ordinal));
        check.Success = check.Errors.Count == 0;
        check.ChunksChecked = chunks.Count;
        check.BytesChecked = done;
        check.Duration = watch.Elapsed;
        return check;
    }

    private async Task<string?> CheckChunkQuickAsync(ChunkRef chunk, string file, CancellationToken ct)
    {
        var info = await Store.StatAsync(ChunkKey(chunk.Id), ct).ConfigureAwait(false);
        if (info is null) return $"Chunk {chunk.Id} of {file} is missing.";
        return info.Size == chunk.StoredLength ? null : $"Chunk {chunk.Id} of {file} is {info.Size} bytes; the manifest records {chunk.StoredLength}.";
    }

    private async Task<string?> CheckChunkFullAsync(ChunkRef chunk, string file, CancellationToken ct)
    {
        try
        {
            ChunkBuffers.Return(await ReadChunkAsync(chunk, file, ct).ConfigureAwait(false));
            return null;
        }
        catch (BackupToolsException e) when (e.Kind == BackupErrorKind.Corrupt)
        {
            return e.Message;
        }
    }
}
