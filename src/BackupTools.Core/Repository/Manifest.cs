using System.Text.Json.Serialization;

namespace BackupTools.Core.Repository;

/// <summary>
/// The central record of one backup, stored sealed under snapshots/&lt;id&gt;. A backup exists only
/// when its manifest does (chunks first, manifest last). Never holds a password or secret.
/// See docs/repository-format.md.
/// </summary>
public sealed class Manifest
{
    public const int CurrentFormatVersion = 1;

    [JsonPropertyName("formatVersion")] public int FormatVersion { get; set; } = CurrentFormatVersion;
    /// <summary>Sorts by time and reads well: 20261125T190102Z-3fa9c1.</summary>
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    /// <summary>"logical" (pg_dump) for now; "physical" arrives with PITR.</summary>
    [JsonPropertyName("kind")] public string Kind { get; set; } = "logical";
    [JsonPropertyName("tags")] public List<string> Tags { get; set; } = new();
    [JsonPropertyName("startTime")] public DateTimeOffset StartTime { get; set; }
    [JsonPropertyName("endTime")] public DateTimeOffset EndTime { get; set; }
    [JsonPropertyName("host")] public string Host { get; set; } = Environment.MachineName;
    [JsonPropertyName("toolVersion")] public string ToolVersion { get; set; } = ToolInfo.Version;
    /// <summary>The previous backup of the same source in this repository, if any.</summary>
    [JsonPropertyName("parent")] public string? Parent { get; set; }
    [JsonPropertyName("components")] public List<ComponentEntry> Components { get; set; } = new();
    [JsonPropertyName("stats")] public BackupStats Stats { get; set; } = new();
    [JsonPropertyName("verifications")] public List<VerificationRecord> Verifications { get; set; } = new();
    /// <summary>Set on a copy made by Copy-Backup: where the backup was copied from. Null for a backup taken here.</summary>
    [JsonPropertyName("copiedFrom")] public CopyOrigin? CopiedFrom { get; set; }

    /// <summary>The time a backup id begins with, and its length ("20261125T190102Z").</summary>
    private const string IdTimeFormat = "yyyyMMdd'T'HHmmss'Z'";
    private const int IdTimeLength = 16;

    /// <summary>Creates a new time-sortable backup id: yyyyMMddTHHmmssZ-xxxxxx (6 random hex digits).</summary>
    public static string NewId(DateTimeOffset time)
    {
        Span<byte> r = stackalloc byte[3];
        System.Security.Cryptography.RandomNumberGenerator.Fill(r);
        return time.UtcDateTime.ToString(IdTimeFormat, System.Globalization.CultureInfo.InvariantCulture)
               + "-" + Convert.ToHexString(r).ToLowerInvariant();
    }

    /// <summary>The time (to the second) an id made by <see cref="NewId"/> begins with; null for an id of another form.</summary>
    public static DateTimeOffset? TimeOfId(string id)
        => id.Length >= IdTimeLength && DateTimeOffset.TryParseExact(id.AsSpan(0, IdTimeLength), IdTimeFormat,
               System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : null;
}

/// <summary>One part of a backup: "database", later "storage" and "config".</summary>
public sealed class ComponentEntry
{
    [JsonPropertyName("type")] public string Type { get; set; } = "database";
    /// <summary>For a database: the database name.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    /// <summary>The order the component was taken in (0 first).</summary>
    [JsonPropertyName("order")] public int Order { get; set; }
    /// <summary>Where it came from: host, port, database, user, serverVersion, pgDumpVersion … never a password.</summary>
    [JsonPropertyName("source")] public Dictionary<string, string> Source { get; set; } = new();
    [JsonPropertyName("files")] public List<FileEntry> Files { get; set; } = new();
    /// <summary>For a database: the tables seen at backup time (estimates or exact counts, see RowCountExact).</summary>
    [JsonPropertyName("tables")] public List<TableInfo>? Tables { get; set; }
    /// <summary>Messages recorded while taking the component (e.g. "roles not dumped: permission denied").</summary>
    [JsonPropertyName("warnings")] public List<string>? Warnings { get; set; }
}

/// <summary>One stored stream: a dump file, a roles script, later an object or config file.</summary>
public sealed class FileEntry
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    /// <summary>e.g. "pg_dump-custom", "sql".</summary>
    [JsonPropertyName("format")] public string? Format { get; set; }
    /// <summary>Plaintext size in bytes.</summary>
    [JsonPropertyName("size")] public long Size { get; set; }
    /// <summary>
    /// SHA-256 of the whole plaintext, lower-case hex; null (left out) for a database dump or base backup tar, whose
    /// integrity rests on the chunk ids (see <see cref="StreamWriteOptions.WholeFileHash"/>).
    /// </summary>
    [JsonPropertyName("sha256"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Sha256 { get; set; }
    [JsonPropertyName("chunks")] public List<ChunkRef> Chunks { get; set; } = new();
    /// <summary>For a storage-bucket object: its bucket, key, ETag and headers (null for other files).</summary>
    [JsonPropertyName("object"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ObjectMetadata? Object { get; set; }
    /// <summary>For a configuration entry: file type, mode, times, link target (see <see cref="FileSystemMetadata"/>); else null.</summary>
    [JsonPropertyName("fs"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public FileSystemMetadata? Fs { get; set; }
}

/// <summary>A chunk of a file: its id (keyed hash of the plaintext), plaintext length and stored (sealed) length.</summary>
public sealed class ChunkRef
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("len")] public int Length { get; set; }
    [JsonPropertyName("stored")] public int StoredLength { get; set; }
}

public sealed class TableInfo
{
    [JsonPropertyName("schema")] public string Schema { get; set; } = "";
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("rows")] public long Rows { get; set; }
    [JsonPropertyName("rowsExact")] public bool RowCountExact { get; set; }
    [JsonPropertyName("bytes")] public long Bytes { get; set; }
    /// <summary>Content checksum (see Postgres.TableFingerprint), recorded with the exact row count; null for larger tables.</summary>
    [JsonPropertyName("checksum")] public long? Checksum { get; set; }
}

/// <summary>Totals for one backup.</summary>
public sealed class BackupStats
{
    /// <summary>Plaintext bytes read from the sources.</summary>
    [JsonPropertyName("bytesRead")] public long BytesRead { get; set; }
    /// <summary>Sealed bytes this backup added to the repository (new chunks only).</summary>
    [JsonPropertyName("bytesAdded")] public long BytesAdded { get; set; }
    [JsonPropertyName("chunksTotal")] public int ChunksTotal { get; set; }
    [JsonPropertyName("chunksNew")] public int ChunksNew { get; set; }
    [JsonPropertyName("durationSeconds")] public double DurationSeconds { get; set; }
}

/// <summary>Where a copied backup came from (<see cref="Manifest.CopiedFrom"/>).</summary>
public sealed class CopyOrigin
{
    /// <summary>The source repository's location (never holds credentials).</summary>
    [JsonPropertyName("repository")] public string Repository { get; set; } = "";
    /// <summary>The source repository's id (config.json).</summary>
    [JsonPropertyName("repositoryId")] public string RepositoryId { get; set; } = "";
    /// <summary>When the copy was made.</summary>
    [JsonPropertyName("time")] public DateTimeOffset Time { get; set; }
}

/// <summary>The outcome of one verification of a backup, kept in its manifest.</summary>
public sealed class VerificationRecord
{
    [JsonPropertyName("time")] public DateTimeOffset Time { get; set; }
    [JsonPropertyName("level")] public string Level { get; set; } = "";
    [JsonPropertyName("success")] public bool Success { get; set; }
    [JsonPropertyName("errors")] public List<string> Errors { get; set; } = new();
    /// <summary>For a restore drill: how long the restore and its checks took.</summary>
    [JsonPropertyName("durationSeconds")] public double? DurationSeconds { get; set; }

    /// <summary>The record of checking a backup's components at one level, now.</summary>
    public static VerificationRecord From(VerifyLevel level, IReadOnlyList<Operations.ComponentCheck> checks) => new()
    {
        Time = DateTimeOffset.UtcNow,
        Level = level.ToString(),
        Success = checks.All(c => c.Success),
        Errors = checks.SelectMany(c => c.Errors.Select(e => $"{c.Component}: {e}")).ToList(),
    };
}

/// <summary>Counters shared by the parallel writers of one backup (thread-safe).</summary>
public sealed class WriteStats
{
    private long _bytesRead, _bytesAdded, _chunksTotal, _chunksNew;
    public long BytesRead => Interlocked.Read(ref _bytesRead);
    public long BytesAdded => Interlocked.Read(ref _bytesAdded);
    public int ChunksTotal => (int)Interlocked.Read(ref _chunksTotal);
    public int ChunksNew => (int)Interlocked.Read(ref _chunksNew);
    public void AddRead(long bytes) => Interlocked.Add(ref _bytesRead, bytes);
    public void AddChunk(bool isNew, long storedBytes)
    {
        Interlocked.Increment(ref _chunksTotal);
        if (isNew) { Interlocked.Increment(ref _chunksNew); Interlocked.Add(ref _bytesAdded, storedBytes); }
    }
    public void CopyTo(BackupStats s) { s.BytesRead = BytesRead; s.BytesAdded = BytesAdded; s.ChunksTotal = ChunksTotal; s.ChunksNew = ChunksNew; }
}
