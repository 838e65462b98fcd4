using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace BackupTools.Core.Storage;

/// <summary>
/// Makes the one kind of AmazonS3Client the engine uses, for repositories (<see cref="S3BlobStore"/>) and for
/// buckets backed up or restored (Sources/ObjectStorage): checksums only when required (S3-compatible servers reject
/// the SDK's default trailers), path-style addressing for any non-AWS endpoint, the SDK's own retries off (the
/// callers retry transient faults with backoff through Polly).
/// </summary>
internal static class S3ClientFactory
{
    /// <summary>
    /// A client for <paramref name="endpoint"/> (null: AWS in <paramref name="region"/>, or the environment's region).
    /// Without an access key the SDK's default chain applies (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles).
    /// AuthenticationFailed naming <paramref name="describe"/> when no credentials can be found.
    /// </summary>
    public static AmazonS3Client Create(string? endpoint, string? region, string? accessKey, string? secretKey, string describe)
    {
        var config = new AmazonS3Config
        {
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 0,
        };
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = region ?? S3BlobStore.DefaultRegion;
            config.ForcePathStyle = !IsAwsEndpoint(endpoint);
        }
        else
        {
            config.RegionEndpoint = region is not null
                ? RegionEndpoint.GetBySystemName(region)
                : FallbackRegionFactory.GetRegionEndpoint() ?? RegionEndpoint.GetBySystemName(S3BlobStore.DefaultRegion);
        }

        try
        {
            return accessKey is not null
                ? new AmazonS3Client(new BasicAWSCredentials(accessKey, secretKey), config)
                : new AmazonS3Client(config);
        }
        catch (AmazonClientException e)
        {
            throw new BackupToolsException(BackupErrorKind.AuthenticationFailed,
                $"No S3 credentials for '{describe}': give an access key and secret key, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or an AWS profile. {e.Message}",
                describe, e);
        }
    }

    private static bool IsAwsEndpoint(string endpoint)
        => Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
           && uri.Host.EndsWith(".amazonaws.com", StringComparison.OrdinalIgnoreCase);
}
