namespace BackupTools;

/// <summary>A named repository location from the user's registry (no secrets).</summary>
public sealed class RegisteredRepository
{
    /// <summary>The name to pass to -Repository.</summary>
    public string Name { get; init; } = "";
    /// <summary>The location: folder, file:// or s3:// URI.</summary>
    public string Repository { get; init; } = "";
    /// <summary>S3 endpoint, if any.</summary>
    public string? Endpoint { get; init; }
    /// <summary>S3 region, if any.</summary>
    public string? Region { get; init; }
    /// <summary>The passphrase file used when no other passphrase is given.</summary>
    public string? KeyFile { get; init; }
    /// <summary>When it was registered.</summary>
    public DateTimeOffset Registered { get; init; }
}
