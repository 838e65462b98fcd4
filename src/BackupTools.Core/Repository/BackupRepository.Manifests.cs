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
        var json = JsonSerializer.SerializeToUtf8Bytes(manifest);
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
            return JsonSerializer.Deserialize<Manifest>(PayloadCodec.Decode(encoded, MaxManifestSize))
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
        var ids = new List<string>();
        await foreach (var blob in Store.ListAsync(SnapshotsPrefix, ct).ConfigureAwait(false)) ids.Add(NameOf(blob.Key));
        ids.Sort(StringComparer.Ordinal);
        var manifests = new List<Manifest>(ids.Count);
        var unreadable = new List<string>();
        foreach (var id in ids)
        {
            try
            {
                manifests.Add(await LoadManifestAsync(id, ct).ConfigureAwait(false));
            }
            catch (BackupToolsException e) when (e.Kind is BackupErrorKind.Corrupt or BackupErrorKind.NotFound or BackupErrorKind.InvalidArgument)
            {
                unreadable.Add(id);
            }
        }
        UnreadableManifestIds = unreadable;
        return manifests;
    }

    private static void CheckBackupId(string backupId)
    {
        if (string.IsNullOrWhiteSpace(backupId) || backupId.Length > 200 || backupId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || backupId.Trim('.').Length == 0)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"'{backupId}' is not a valid backup id.", backupId);
    }

    private BackupToolsException ManifestCorrupt(string backupId, string problem, Exception? inner = null)
        => new(BackupErrorKind.Corrupt, $"The manifest of backup {backupId} in repository {Location} {problem}.", backupId, inner);
}
