using System.Text.Json;
using System.Text.Json.Serialization;

namespace BackupTools.Core.Configuration;

/// <summary>A named repository location kept in the user's config file. Holds no secret.</summary>
public sealed class RepositoryRegistration
{
    /// <summary>The name users pass to -Repository.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    /// <summary>The location: a folder, file:// or s3://bucket/prefix URI.</summary>
    [JsonPropertyName("repository")] public string Repository { get; set; } = "";
    /// <summary>S3 service URL for non-AWS endpoints.</summary>
    [JsonPropertyName("endpoint")] public string? Endpoint { get; set; }
    /// <summary>S3 region.</summary>
    [JsonPropertyName("region")] public string? Region { get; set; }
    /// <summary>A file whose first line is the passphrase (the file, not the passphrase, is recorded).</summary>
    [JsonPropertyName("keyFile")] public string? KeyFile { get; set; }
    /// <summary>When the registration was written.</summary>
    [JsonPropertyName("registered")] public DateTimeOffset Registered { get; set; }
}

/// <summary>
/// The user's named repositories, in repositories.json under $BACKUPTOOLS_CONFIG_HOME, else
/// $XDG_CONFIG_HOME/BackupTools or ~/.config/BackupTools (%APPDATA%\BackupTools on Windows).
/// Shared by the cmdlets and scheduled jobs. Writes are atomic (temporary file, then rename).
/// </summary>
public sealed class RepositoryRegistry
{
    private const string FileName = "repositories.json";
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>Opens the registry stored in <paramref name="path"/> (the file need not exist yet).</summary>
    public RepositoryRegistry(string path) => FilePath = path;

    /// <summary>The registry in the user's default config folder.</summary>
    public static RepositoryRegistry OpenDefault() => new(Path.Combine(DefaultConfigDirectory(), FileName));

    /// <summary>The file holding the registrations.</summary>
    public string FilePath { get; }

    /// <summary>The folder for BackupTools' user configuration, following the rules in the type summary.</summary>
    public static string DefaultConfigDirectory()
    {
        var explicitHome = Environment.GetEnvironmentVariable("BACKUPTOOLS_CONFIG_HOME");
        if (!string.IsNullOrEmpty(explicitHome)) return explicitHome;
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "BackupTools");
        var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        var baseDir = !string.IsNullOrEmpty(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(baseDir, "BackupTools");
    }

    /// <summary>All registrations, sorted by name. Corrupt (naming the file) when the file does not parse.</summary>
    public IReadOnlyList<RepositoryRegistration> List()
    {
        if (!File.Exists(FilePath)) return Array.Empty<RepositoryRegistration>();
        try
        {
            var items = JsonSerializer.Deserialize<List<RepositoryRegistration>>(File.ReadAllText(FilePath), JsonOptions) ?? new();
            return items.OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase).ToList();
        }
        catch (JsonException ex)
        {
            throw new BackupToolsException(BackupErrorKind.Corrupt,
                $"The repository registry '{FilePath}' is not valid JSON: {ex.Message}", FilePath, ex);
        }
    }

    /// <summary>The registration named <paramref name="name"/> (case-insensitive), or null.</summary>
    public RepositoryRegistration? Find(string name)
        => List().FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Adds a registration, or replaces one of the same name when <paramref name="replace"/> is set.
    /// InvalidArgument for an empty name or one with wildcard characters; InvalidOperation when the name is taken.
    /// </summary>
    public void Register(RepositoryRegistration registration, bool replace)
    {
        ValidateName(registration.Name);
        if (string.IsNullOrWhiteSpace(registration.Repository))
            throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                $"Repository registration '{registration.Name}' needs a repository location.", registration.Name);
        var items = List().ToList();
        var existing = items.FindIndex(r => string.Equals(r.Name, registration.Name, StringComparison.OrdinalIgnoreCase));
        if (existing >= 0 && !replace)
            throw new BackupToolsException(BackupErrorKind.InvalidOperation,
                $"A repository named '{registration.Name}' is already registered (use -Force to replace it).", registration.Name);
        if (existing >= 0) items.RemoveAt(existing);
        items.Add(registration);
        Save(items);
    }

    private static void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(['*', '?', '[', ']']) >= 0)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                $"'{name}' is not a valid repository name: it must be non-empty and contain no wildcard characters.", name);
    }

    private void Save(List<RepositoryRegistration> items)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(FilePath))!);
        var temp = FilePath + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(items.OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase), JsonOptions));
        File.Move(temp, FilePath, overwrite: true);
    }
}
