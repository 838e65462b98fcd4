using BackupTools.Core.Compression;
using BackupTools.Core.Crypto;
using BackupTools.Core.Storage;
using BackupTools.Core.Wal;

namespace BackupTools.Core.Repository;

/// <summary>One archived WAL file: its name, sealed size and when it was archived.</summary>
public sealed record WalFileInfo(string Name, long StoredSize, DateTimeOffset Archived);

/// <summary>
/// The WAL archive under wal/: one sealed object per segment or history file (type 0x05, AD "wal:&lt;name&gt;"),
/// plaintext flag|zstd as for chunks. Written by the WAL program (archive_command), read by restore_command.
/// </summary>
public sealed partial class BackupRepository
{
    private const string WalPrefix = "wal/";
    /// <summary>Largest WAL file accepted when reading (PostgreSQL's largest segment size).</summary>
    private const int MaxWalFileSize = 1 << 30;

    /// <summary>
    /// Opens a repository with the key material of a WAL archive config (no passphrase, no key derivation).
    /// NotFound when there is no repository; InvalidOperation when it is another repository than the config names.
    /// </summary>
    public static async Task<BackupRepository> OpenAsync(IBlobStore store, WalArchiveConfig walConfig, CancellationToken ct = default)
    {
        var config = await ReadConfigAsync(store, ct).ConfigureAwait(false);
        if (!string.Equals(config.Id, walConfig.RepositoryId, StringComparison.Ordinal))
            throw new BackupToolsException(BackupErrorKind.InvalidOperation,
                $"Repository {store.Location} has id {config.Id}; the WAL archive config was written for {walConfig.RepositoryId}.", store.Location);
        var master = MasterKey.FromMaterial(walConfig.KeyMaterial)
            ?? throw new BackupToolsException(BackupErrorKind.Corrupt, "The key material in the WAL archive config has the wrong length.", null);
        return new BackupRepository(store, config, master);
    }

    /// <summary>A WAL archive config for this repository at <paramref name="location"/> (holds the unwrapped key material: keep it 0600).</summary>
    public WalArchiveConfig CreateWalArchiveConfig(RepositoryLocation location) => new()
    {
        Repository = location.Uri,
        Endpoint = location.Endpoint,
        Region = location.Region,
        AccessKey = location.AccessKey,
        SecretKey = location.SecretKey,
        RepositoryId = Id,
        KeyMaterial = _master.Material.ToArray(),
    };

    /// <summary>
    /// Archives one WAL file. True when stored; false when the same content was already archived (PostgreSQL may push a
    /// file again after a crash). InvalidOperation when a file of that name with other content is archived: never overwritten.
    /// </summary>
    public async Task<bool> PushWalAsync(string name, ReadOnlyMemory<byte> content, CancellationToken ct = default)
    {
        WalNames.Check(name);
        if (await Store.StatAsync(WalPrefix + name, ct).ConfigureAwait(false) is not null)
        {
            var archived = await FetchWalAsync(name, ct).ConfigureAwait(false);
            if (archived is not null && archived.AsSpan().SequenceEqual(content.Span)) return false;
            throw new BackupToolsException(BackupErrorKind.InvalidOperation,
                $"WAL file {name} is already archived in {Location} with different content; it is not overwritten. " +
                "Is another cluster archiving into this repository?", name);
        }
        var sealedObject = _master.Sealer.Seal(SealedObjectType.Wal, name, PayloadCodec.Encode(_config.Compression.Level, content.Span));
        await Store.PutAsync(WalPrefix + name, sealedObject, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>The plaintext of an archived WAL file, or null when it is not archived. Corrupt when it fails authentication or decoding.</summary>
    public async Task<byte[]?> FetchWalAsync(string name, CancellationToken ct = default)
    {
        WalNames.Check(name);
        byte[] sealedObject;
        try
        {
            sealedObject = await Store.GetAsync(WalPrefix + name, ct).ConfigureAwait(false);
        }
        catch (BlobNotFoundException)
        {
            return null;
        }
        var encoded = _master.Sealer.Open(SealedObjectType.Wal, name, sealedObject)
            ?? throw new BackupToolsException(BackupErrorKind.Corrupt, $"WAL file {name} in {Location} fails authentication (damaged or tampered).", name);
        try
        {
            return PayloadCodec.Decode(encoded, MaxWalFileSize);
        }
        catch (InvalidDataException e)
        {
            throw new BackupToolsException(BackupErrorKind.Corrupt, $"WAL file {name} in {Location} does not decompress.", name, e);
        }
    }

    /// <summary>True when a WAL file of that name is archived.</summary>
    public async Task<bool> HasWalAsync(string name, CancellationToken ct = default)
        => await Store.StatAsync(WalPrefix + WalNames.Check(name), ct).ConfigureAwait(false) is not null;

    /// <summary>Every archived WAL file, sorted by name (for segments: by timeline, then position).</summary>
    public async Task<IReadOnlyList<WalFileInfo>> ListWalAsync(CancellationToken ct = default)
    {
        var files = new List<WalFileInfo>();
        await foreach (var blob in Store.ListAsync(WalPrefix, ct).ConfigureAwait(false))
        {
            var name = NameOf(blob.Key);
            if (WalNames.IsValid(name)) files.Add(new WalFileInfo(name, blob.Size, blob.LastModified));
        }
        files.Sort((a, b) => StringComparer.Ordinal.Compare(a.Name, b.Name));
        return files;
    }

    /// <summary>
    /// The WAL a physical backup needs to be consistent (walStart..walStop): Quick = every segment is archived;
    /// Full = every segment opens, decompresses and has the segment size. One message per problem.
    /// </summary>
    private async Task<List<string>> VerifyBackupWalAsync(Manifest manifest, VerifyLevel level, CancellationToken ct)
    {
        var errors = new List<string>();
        var info = BaseBackupInfo.From(manifest);
        if (info is null) return errors;
        foreach (var segment in info.SegmentsThrough(info.WalStop))
        {
            var name = segment.Name(info.SegmentSize);
            if (level == VerifyLevel.Quick)
            {
                if (!await HasWalAsync(name, ct).ConfigureAwait(false))
                    errors.Add($"WAL segment {name} that backup {manifest.Id} needs is missing from the archive.");
                continue;
            }
            try
            {
                var content = await FetchWalAsync(name, ct).ConfigureAwait(false);
                if (content is null) errors.Add($"WAL segment {name} that backup {manifest.Id} needs is missing from the archive.");
                else if (content.Length != info.SegmentSize) errors.Add($"WAL segment {name} is {content.Length} bytes; a segment is {info.SegmentSize}.");
            }
            catch (BackupToolsException e) when (e.Kind == BackupErrorKind.Corrupt)
            {
                errors.Add(e.Message);
            }
        }
        return errors;
    }
}
