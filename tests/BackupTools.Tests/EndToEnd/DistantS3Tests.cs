using System.Security.Cryptography;
using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Testing;
using Xunit;

namespace BackupTools.Tests.EndToEnd;

/// <summary>An S3 repository over a link with latency (a distant region): what would wait out the latency in turn does not.</summary>
public sealed class DistantS3Tests
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

    [Fact]
    public async Task Copy_Backup_copies_several_files_at_once_and_each_reads_back_the_same()
    {
        var s3 = await EndToEndHelpers.S3Async();
        await using var proxy = FaultProxy.Start(s3.Endpoint);
        var bucket = EndToEndHelpers.NewBucketName("copy-files");
        var sourceLocation = EndToEndHelpers.S3Location(s3, bucket, "source");
        await BlobStoreFactory.PrepareAsync(sourceLocation);
        using var sourceStore = BlobStoreFactory.Open(sourceLocation);
        using var source = await BackupRepository.CreateAsync(sourceStore, EndToEndHelpers.Passphrase, EndToEndHelpers.FastOptions());
        // A storage backup's shape: many small objects, one chunk each.
        var data = new Dictionary<string, byte[]>();
        var stats = new WriteStats();
        var component = new ComponentEntry { Type = "storage", Name = "avatars" };
        for (var i = 0; i < 24; i++)
        {
            var name = $"avatars/user-{i}.png";
            data[name] = RandomNumberGenerator.GetBytes(4096 + i);
            component.Files.Add(await source.WriteStreamAsync(name, new MemoryStream(data[name]), stats));
        }
        var manifest = new Manifest { Id = Manifest.NewId(DateTimeOffset.UtcNow), StartTime = DateTimeOffset.UtcNow, EndTime = DateTimeOffset.UtcNow, Components = { component } };
        await source.SaveManifestAsync(manifest);

        // The source is the distant one: each file's chunk is a GET through the proxy (the copy's check reads the destination).
        using var distantStore = BlobStoreFactory.Open(EndToEndHelpers.S3Location(s3, bucket, "source", proxy.Endpoint));
        using var distant = await BackupRepository.OpenAsync(distantStore, EndToEndHelpers.Passphrase);
        var destinationLocation = EndToEndHelpers.S3Location(s3, bucket, "copy");
        using var destinationStore = BlobStoreFactory.Open(destinationLocation);
        using var destination = await BackupRepository.CreateAsync(destinationStore, "the copy's own passphrase", EndToEndHelpers.FastOptions());
        proxy.Latency = TimeSpan.FromMilliseconds(30);
        proxy.ResetInFlight();
        var outcome = await CopyBackup.RunAsync(distant, destination, new CopyBackupRequest { BackupId = manifest.Id }, null, NullBackupLog.Instance);

        Assert.Equal(24, outcome.ChunksNew);
        Assert.True(proxy.MaxInFlight >= 4, $"at most {proxy.MaxInFlight} request(s) were in flight at once");
        var copied = await destination.LoadManifestAsync(manifest.Id);
        Assert.Equal(component.Files.Select(f => f.Name), copied.Components.Single().Files.Select(f => f.Name)); // the manifest's order
        foreach (var file in copied.Components.Single().Files)
        {
            var read = new MemoryStream();
            await destination.ReadFileAsync(file, read);
            Assert.Equal(data[file.Name], read.ToArray());
        }
    }
}
