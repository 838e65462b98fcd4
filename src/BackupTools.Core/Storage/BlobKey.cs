namespace BackupTools.Core.Storage;

/// <summary>The rules every store applies to object keys: relative, '/'-separated, no empty, "." or ".." segments.</summary>
internal static class BlobKey
{
    /// <summary>Returns <paramref name="key"/> when it is a valid object key; throws <see cref="ArgumentException"/> otherwise.</summary>
    public static string Validate(string key)
    {
        if (string.IsNullOrEmpty(key) || key.StartsWith('/') || key.Contains('\\') || key.Split('/').Any(p => p is "" or "." or ".."))
            throw new ArgumentException($"Invalid object key '{key}'.", nameof(key));
        return key;
    }
}
