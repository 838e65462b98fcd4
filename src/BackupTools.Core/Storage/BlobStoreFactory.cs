using System.Text.RegularExpressions;

namespace BackupTools.Core.Storage;

/// <summary>Turns a location the user wrote into a <see cref="RepositoryLocation"/>, and a location into a store.</summary>
public static partial class BlobStoreFactory
{
    private const string S3Scheme = "s3://";
    private const string FileScheme = "file://";
    private const string Usage = "use a folder path, file:///path or s3://bucket/prefix";

    /// <summary>
    /// Parses "C:\x", "/x", "./x", "file:///x" or "s3://bucket/prefix". InvalidArgument (naming the value) when it does not parse.
    /// For S3, endpoint/region/keys fall back to AWS_ENDPOINT_URL(_S3), AWS_REGION/AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and profiles.
    /// </summary>
    public static RepositoryLocation Parse(string uri, string? endpoint = null, string? region = null, string? accessKey = null, string? secretKey = null)
    {
        if (string.IsNullOrWhiteSpace(uri))
            throw Invalid("The repository location is empty: " + Usage + ".", uri);
        uri = uri.Trim();
        if (uri.StartsWith(S3Scheme, StringComparison.OrdinalIgnoreCase))
            return ParseS3(uri, endpoint, region, accessKey, secretKey);
        if (uri.StartsWith(FileScheme, StringComparison.OrdinalIgnoreCase))
            return ParseFileUri(uri);
        if (SchemePattern().IsMatch(uri))
            throw Invalid($"Unsupported repository location '{uri}': {Usage}.", uri);
        return Local(uri, uri);
    }

    /// <summary>Opens the store for a location, wrapped with retry (Polly) for transient faults and a limit on operations in flight.</summary>
    public static IBlobStore Open(RepositoryLocation location)
    {
        IBlobStore store = location.IsS3 ? new S3BlobStore(location) : new LocalBlobStore(location.LocalPath!);
        return new ConcurrencyLimitingBlobStore(new RetryingBlobStore(store));
    }

    /// <summary>
    /// Prepares the place a new repository will live: creates the bucket of an S3 location when it is missing.
    /// (A local folder is created by the first write.)
    /// </summary>
    public static async Task PrepareAsync(RepositoryLocation location, CancellationToken ct = default)
    {
        if (!location.IsS3) return;
        using var s3 = new S3BlobStore(location);
        await s3.EnsureBucketAsync(location.Region, ct).ConfigureAwait(false);
    }

    // "ftp://x", "http://x": a scheme of two or more letters (one letter is a Windows drive).
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]+:")]
    private static partial Regex SchemePattern();

    // Bucket names as S3 allows them: 3-63 lowercase letters, digits, dots and hyphens, alphanumeric at both ends.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketPattern();

    private static RepositoryLocation ParseS3(string uri, string? endpoint, string? region, string? accessKey, string? secretKey)
    {
        var rest = uri[S3Scheme.Length..];
        var slash = rest.IndexOf('/');
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        if (bucket.Contains('@'))
            throw Invalid("Credentials do not belong in the repository location: pass them as access key and secret key (-Credential).", "s3://***@" + bucket[(bucket.LastIndexOf('@') + 1)..]);
        if (!BucketPattern().IsMatch(bucket))
            throw Invalid($"'{uri}' does not name a valid S3 bucket ('{bucket}'): {Usage}.", uri);
        if (prefix.Split('/').Any(p => p is "." or "..") || prefix.Contains("//") || prefix.Contains('\\'))
            throw Invalid($"The key prefix in '{uri}' is not valid: use '/'-separated names without empty, '.' or '..' parts.", uri);
        if ((accessKey is null) != (secretKey is null))
            throw Invalid($"An S3 access key and its secret key go together; only one was given for '{uri}'.", uri);

        return new RepositoryLocation
        {
            Uri = S3Scheme + bucket + (prefix.Length == 0 ? "" : "/" + prefix),
            IsS3 = true,
            Bucket = bucket,
            Prefix = prefix,
            Endpoint = ParseEndpoint(endpoint ?? Environment("AWS_ENDPOINT_URL_S3") ?? Environment("AWS_ENDPOINT_URL")),
            Region = region ?? EnvironmentRegion(),
            AccessKey = accessKey,
            SecretKey = secretKey,
        };
    }

    /// <summary>An http(s) endpoint URL without credentials, trailing slash or query; InvalidArgument naming it otherwise.</summary>
    internal static string? ParseEndpoint(string? endpoint)
    {
        if (endpoint is null) return null;
        if (!System.Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
            throw Invalid($"The S3 endpoint '{endpoint}' is not an http:// or https:// URL.", endpoint);
        if (parsed.UserInfo.Length > 0)
            throw Invalid("Credentials do not belong in the S3 endpoint URL: pass them as access key and secret key (-Credential).", parsed.GetLeftPart(UriPartial.Scheme) + "***@" + parsed.Authority);
        return parsed.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    private static RepositoryLocation ParseFileUri(string uri)
    {
        if (!System.Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || !parsed.IsFile
            || (!OperatingSystem.IsWindows() && parsed.Host is not ("" or "localhost")))
            throw Invalid($"'{uri}' is not a valid file:// location: write file:///absolute/path.", uri);
        return Local(parsed.LocalPath, uri);
    }

    private static RepositoryLocation Local(string path, string original)
    {
        try
        {
            var full = Path.GetFullPath(path);
            return new RepositoryLocation { Uri = full, LocalPath = full };
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw Invalid($"'{original}' is not a valid folder path: {e.Message}", original, e);
        }
    }

    /// <summary>The region the environment names (AWS_REGION, else AWS_DEFAULT_REGION), or null.</summary>
    internal static string? EnvironmentRegion() => Environment("AWS_REGION") ?? Environment("AWS_DEFAULT_REGION");

    private static string? Environment(string name)
        => System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static BackupToolsException Invalid(string message, string? value, Exception? inner = null)
        => new(BackupErrorKind.InvalidArgument, message, value, inner);
}
