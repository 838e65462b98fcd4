using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Testing;
using Xunit;

namespace BackupTools.Tests.EndToEnd;

/// <summary>Listing the backups of an S3 repository over a link with latency (a distant region).</summary>
public sealed class ManifestListingTests
{
    [Fact]
    public async Task The_manifests_are_read_several_at_once_and_listed_in_order()
    {
        var s3 = await EndToEndHelpers.S3Async();
        await using var proxy = FaultProxy.Start(s3.Endpoint);
        var bucket = EndToEndHelpers.NewBucketName("manifests");
        var direct = EndToEndHelpers.S3Location(s3, bucket, "repo");
        await BlobStoreFactory.PrepareAsync(direct);
        var ids = new List<string>();
        using (var store = BlobStoreFactory.Open(direct))
        using (var repository = await BackupRepository.CreateAsync(store, EndToEndHelpers.Passphrase, EndToEndHelpers.FastOptions()))
        {
            var start = DateTimeOffset.UtcNow.AddDays(-40);
            for (var day = 0; day < 40; day++)
            {
                var time = start.AddDays(day);
                var manifest = new Manifest { Id = Manifest.NewId(time), StartTime = time, EndTime = time.AddMinutes(1) };
                await repository.SaveManifestAsync(manifest);
                ids.Add(manifest.Id);
            }
        }

        using var slowStore = BlobStoreFactory.Open(EndToEndHelpers.S3Location(s3, bucket, "repo", proxy.Endpoint));
        using var slow = await BackupRepository.OpenAsync(slowStore, EndToEndHelpers.Passphrase);
        proxy.Latency = TimeSpan.FromMilliseconds(30);
        proxy.ResetInFlight();
        var listed = await slow.ListManifestsAsync();

        Assert.Equal(ids, listed.Select(m => m.Id));
        Assert.Empty(slow.UnreadableManifestIds);
        // One at a time, each of the 40 reads would wait out the latency in turn (a year of daily backups: hundreds).
        Assert.True(proxy.MaxInFlight >= 4, $"at most {proxy.MaxInFlight} request(s) were in flight at once");
    }
}
