using System.Management.Automation;
using BackupTools.Core.Sources.ObjectStorage;

namespace BackupTools.Infrastructure;

/// <summary>Turns -Storage/-TargetStorage, -StorageCredential and -StorageRegion into the engine's endpoint options.</summary>
internal static class StorageEndpoint
{
    /// <summary>
    /// The endpoint with the credential's user name as access key id and its password as secret key; without a
    /// credential the keys come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or an AWS profile.
    /// </summary>
    public static StorageEndpointOptions From(string? endpoint, PSCredential? credential, string? region)
    {
        var network = credential?.GetNetworkCredential();
        return new StorageEndpointOptions
        {
            Endpoint = endpoint,
            Region = region,
            AccessKey = network?.UserName,
            SecretKey = network?.Password,
        };
    }
}
