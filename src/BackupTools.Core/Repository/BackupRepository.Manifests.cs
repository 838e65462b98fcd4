using System.Text.Json;
using BackupTools.Core.Compression;
using BackupTools.Core.Crypto;
using BackupTools.Core.Storage;

namespace BackupTools.Core.Repository;

/// <summary>Manifests under snapshots/: sealed, zstd-compressed JSON.</summary>
public sealed partial class BackupRepository
{
    private const string SnapshotsPrefix = "snapshots/";
    /// <summary>Largest manifest JSON accepted when reading (a guard against a damaged length).</summary>
    private const int MaxManifestSize = 1 << 30;

    /// <summary>Ids whose manifest could not be opened in the latest <see cref="ListManifestsAsync"/> (damaged or tampered).</summary>
    public IReadOnlyList<string> UnreadableManifestIds { get; private set; } = Array.Empty<string>();

    /// <summary>Seals and writes snapshots/&lt;id&gt;. Call last, after every chunk is stored.</summary>
    public async Task SaveManifestAsync(Manifest manifest, CancellationToken ct = default)
    {
        CheckBackupId(manifest.Id);
        var json = JsonSerializer.SerializeToUtf8Bytes(manifest, RepositoryJsonContext.Default.Manifest);
        var sealedObject = _master.Sealer.Seal(SealedObjectType.Snapshot, manifest.Id, PayloadCodec.Encode(_config.Compression.Level, json));
        await Store.PutAsync(SnapshotsPrefix + manifest.Id, sealedObject, ct).ConfigureAwait(false);
    }

    /// <summary>True when snapshots/&lt;id&gt; exists (the manifest is not opened).</summary>
    public async Task<bool> ContainsBackupAsync(string backupId, CancellationToken ct = default)
    {
        CheckBackupId(backupId);
        return await Store.StatAsync(SnapshotsPrefix + backupId, ct).ConfigureAwait(false) is not null;
    }

    /// <summary>NotFound (naming the id) when there is no such backup; Corrupt when it fails authentication.</summary>
    public async Task<Manifest> LoadManifestAsync(string backupId, CancellationToken ct = default)
    {
        CheckBackupId(backupId);
        byte[] sealedObject;
        try
        {
            sealedObject = await Store.GetAsync(SnapshotsPrefix + backupId, ct).ConfigureAwait(false);
        }
        catch (BlobNotFoundException e)
        {
            throw new BackupToolsException(BackupErrorKind.NotFound, $"No backup {backupId} in repository {Location}.", backupId, e);
        }
        var encoded = _master.Sealer.Open(SealedObjectType.Snapshot, backupId, sealedObject)
            ?? throw ManifestCorrupt(backupId, "fails authentication (damaged or tampered)");
        try
        {
            return JsonSerializer.Deserialize(PayloadCodec.Decode(encoded, MaxManifestSize), RepositoryJsonContext.Default.Manifest)
                ?? throw ManifestCorrupt(backupId, "is empty");
        }
        catch (Exception e) when (e is InvalidDataException or JsonException)
        {
            throw ManifestCorrupt(backupId, "does not decode", e);
        }
    }

    /// <summary>
    /// All manifests, sorted by id (oldest first). A manifest that does not open is left out and its id listed in
    /// <see cref="UnreadableManifestIds"/>, so one damaged backup does not hide the others.
    /// </summary>
    public async Task<IReadOnlyList<Manifest>> ListManifestsAsync(CancellationToken ct = default)
    {
        var ids = await ListBackupIdsAsync(ct).ConfigureAwait(false);
        // Several at once: against S3 each manifest is a round trip, and a year of daily backups is hundreds of them.
        var loaded = new Manifest?[ids.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Count), new ParallelOptions { MaxDegreeOfParallelism = ManifestReadsAtOnce, CancellationToken = ct },
            async (i, token) => loaded[i] = await TryLoadManifestAsync(ids[i], token).ConfigureAwait(false)).ConfigureAwait(false);
        UnreadableManifestIds = ids.Where((_, i) => loaded[i] is null).ToList();
        return loaded.OfType<Manifest>().ToList();
    }

    /// <summary>How many manifests <see cref="ListManifestsAsync"/> reads at once.</summary>
    private const int ManifestReadsAtOnce = 16;

    /// <summary>
    /// The newest backup (latest start time, then highest id) that <paramref name="match"/> accepts (any when null), or
    /// null. Opens manifests newest first and stops shortly after the first match instead of opening them all: a
    /// backup id begins with its start time to the second (<see cref="Manifest.NewId"/>), so any later-started backup
    /// has an id at most <see cref="IdTimeSlack"/> older than the match's. When an id does not begin with a time,
    /// every manifest is opened. A manifest that does not open is passed over.
    /// </summary>
    public async Task<Manifest?> FindLatestManifestAsync(Func<Manifest, bool>? match, CancellationToken ct = default)
    {
        var ids = await ListBackupIdsAsync(ct).ConfigureAwait(false);
        // Time-prefixed ids have a fixed width, so their ordinal order is the order of their times.
        var times = ids.Select(Manifest.TimeOfId).ToList();
        var orderedByTime = times.All(t => t is not null);
        Manifest? newest = null;
        DateTimeOffset? newestIdTime = null;
        for (var i = ids.Count - 1; i >= 0; i--)
        {
            if (orderedByTime && times[i] < newestIdTime - IdTimeSlack) break;
            if (await TryLoadManifestAsync(ids[i], ct).ConfigureAwait(false) is not { } manifest || (match is not null && !match(manifest))) continue;
            if (newest is not null && !IsNewer(manifest, newest)) continue;
            newest = manifest;
            newestIdTime = times[i];
        }
        return newest;
    }

    /// <summary>How much older than its start time a backup id may be (the id is taken just before the start time).</summary>
    private static readonly TimeSpan IdTimeSlack = TimeSpan.FromMinutes(1);

    private static bool IsNewer(Manifest a, Manifest b)
        => a.StartTime != b.StartTime ? a.StartTime > b.StartTime : string.CompareOrdinal(a.Id, b.Id) > 0;

    /// <summary>The ids under snapshots/, sorted (oldest first).</summary>
    private async Task<List<string>> ListBackupIdsAsync(CancellationToken ct)
    {
        var ids = new List<string>();
        await foreach (var blob in Store.ListAsync(SnapshotsPrefix, ct).ConfigureAwait(false)) ids.Add(NameOf(blob.Key));
        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    /// <summary>The manifest, or null when it is damaged, gone since the listing, or its id is not valid.</summary>
    private async Task<Manifest?> TryLoadManifestAsync(string backupId, CancellationToken ct)
    {
        try
        {
            return await LoadManifestAsync(backupId, ct).ConfigureAwait(false);
        }
        catch (BackupToolsException e) when (e.Kind is BackupErrorKind.Corrupt or BackupErrorKind.NotFound or BackupErrorKind.InvalidArgument)
        {
            return null;
        }
    }

    private static void CheckBackupId(string backupId)
    {
        if (string.IsNullOrWhiteSpace(backupId) || backupId.Length > 200 || backupId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || backupId.Trim('.').Length == 0)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"'{backupId}' is not a valid backup id.", backupId);
    }

    private BackupToolsException ManifestCorrupt(string backupId, string problem, Exception? inner = null)
        => new(BackupErrorKind.Corrupt, $"The manifest of backup {backupId} in repository {Location} {problem}.", backupId, inner);
}
