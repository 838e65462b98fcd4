using System.Text.Json;
using System.Text.Json.Serialization;
using BackupTools.Core.Storage;

namespace BackupTools.Core.Wal;

/// <summary>
/// What the WAL program (archive_command / restore_command) needs: where the repository is and the unwrapped
/// key material, so that no passphrase derivation (Argon2id, deliberately slow) runs per segment. Written by
/// Enable-WalArchiving and Invoke-PointInTimeRecovery with mode 0600 for the server's OS user only — the same
/// trade-off as pgBackRest's repo-cipher-pass in pgbackrest.conf (see docs/pitr.md). Never passed in argv.
/// </summary>
public sealed class WalArchiveConfig
{
    /// <summary>The environment variable naming the config file.</summary>
    public const string EnvironmentVariable = "BACKUPTOOLS_WAL_CONFIG";
    /// <summary>The file name at the fixed locations (beside the data directory, or ~/.backuptools/).</summary>
    public const string FileName = "backuptools-wal.json";

    /// <summary>Repository location (path, file:// or s3://bucket/prefix).</summary>
    [JsonPropertyName("repository")] public string Repository { get; set; } = "";
    /// <summary>S3 endpoint for non-AWS services.</summary>
    [JsonPropertyName("endpoint")] public string? Endpoint { get; set; }
    /// <summary>S3 region.</summary>
    [JsonPropertyName("region")] public string? Region { get; set; }
    /// <summary>S3 access key id; null = the standard AWS_* variables and profiles.</summary>
    [JsonPropertyName("accessKey")] public string? AccessKey { get; set; }
    /// <summary>S3 secret access key.</summary>
    [JsonPropertyName("secretKey")] public string? SecretKey { get; set; }
    /// <summary>The repository id from config.json, checked on open (a config never writes into another repository).</summary>
    [JsonPropertyName("repositoryId")] public string RepositoryId { get; set; } = "";
    /// <summary>The master key material (base64 in the file).</summary>
    [JsonPropertyName("keyMaterial")] public byte[] KeyMaterial { get; set; } = Array.Empty<byte>();

    /// <summary>The repository location this config names.</summary>
    public RepositoryLocation ToLocation() => BlobStoreFactory.Parse(Repository, Endpoint, Region, AccessKey, SecretKey);

    /// <summary>
    /// The config file to use: $BACKUPTOOLS_WAL_CONFIG, else backuptools-wal.json in the parent of the working
    /// folder (PostgreSQL runs archive/restore commands in the data directory), else ~/.backuptools/backuptools-wal.json.
    /// NotFound naming the places looked in when there is none.
    /// </summary>
    public static string Locate()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment) return fromEnvironment;
        var besideData = Path.GetFullPath(Path.Combine(Environment.CurrentDirectory, "..", FileName));
        if (File.Exists(besideData)) return besideData;
        var home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".backuptools", FileName);
        if (File.Exists(home)) return home;
        throw new BackupToolsException(BackupErrorKind.NotFound,
            $"No WAL archive config: set {EnvironmentVariable}, or create {besideData} or {home} (Enable-WalArchiving writes one).", besideData);
    }

    /// <summary>Reads a config file. NotFound or Corrupt naming the file.</summary>
    public static WalArchiveConfig Load(string path)
    {
        byte[] json;
        try { json = File.ReadAllBytes(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BackupToolsException(BackupErrorKind.NotFound, $"The WAL archive config {path} does not exist.", path, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new BackupToolsException(BackupErrorKind.PermissionDenied, $"The WAL archive config {path} cannot be read by this user.", path, e);
        }
        try
        {
            var config = JsonSerializer.Deserialize(json, CoreJsonContext.Default.WalArchiveConfig);
            if (config is { Repository.Length: > 0, KeyMaterial.Length: > 0 }) return config;
        }
        catch (JsonException) { /* reported below */ }
        throw new BackupToolsException(BackupErrorKind.Corrupt, $"The WAL archive config {path} is not valid.", path);
    }

    /// <summary>Writes the file atomically, readable and writable by its owner only (mode 0600 from the start).</summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        var temp = full + ".tmp-" + Environment.ProcessId;
        using (var stream = new FileStream(temp, PrivateFile.ForWriting(FileMode.Create)))
            JsonSerializer.Serialize(stream, this, CoreJsonContext.Indented.WalArchiveConfig);
        File.Move(temp, full, overwrite: true);
    }
}
