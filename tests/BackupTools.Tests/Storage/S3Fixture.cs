using BackupTools.Core.Storage;
using BackupTools.Testing;
using Xunit;

namespace BackupTools.Tests.Storage;

/// <summary>One bucket on the run's shared s3rver for a test class.</summary>
public sealed class S3BucketFixture : IAsyncLifetime
{
    /// <summary>The shared s3rver.</summary>
    public S3Server Server { get; private set; } = null!;

    /// <summary>The class's bucket.</summary>
    public string Bucket { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Server = (await TestServices.GetAsync()).S3;
        Bucket = await Server.CreateBucketAsync("stores");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A location in the bucket (or <paramref name="bucket"/>) under <paramref name="prefix"/>, with s3rver's keys.</summary>
    public RepositoryLocation Location(string prefix, string? endpoint = null, string? bucket = null)
        => BlobStoreFactory.Parse($"s3://{bucket ?? Bucket}/{prefix}", endpoint ?? Server.Endpoint, "us-east-1",
            Server.State.AccessKey, Server.State.SecretKey);
}
