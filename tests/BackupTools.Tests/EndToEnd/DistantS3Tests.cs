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
        await using var bucket = await DistantBucket.StartAsync("manifests");
        var repository = await bucket.CreateAsync("repo", EndToEndHelpers.Passphrase);
        var ids = new List<string>();
        var start = DateTimeOffset.UtcNow.AddDays(-40);
        for (var day = 0; day < 40; day++)
        {
            var time = start.AddDays(day);
            var manifest = new Manifest { Id = Manifest.NewId(time), StartTime = time, EndTime = time.AddMinutes(1) };
            await repository.SaveManifestAsync(manifest);
            ids.Add(manifest.Id);
        }

        var slow = await bucket.OpenDistantAsync("repo", EndToEndHelpers.Passphrase);
        var listed = await slow.ListManifestsAsync();

        Assert.Equal(ids, listed.Select(m => m.Id));
        Assert.Empty(slow.UnreadableManifestIds);
        // One at a time, each of the 40 reads would wait out the latency in turn (a year of daily backups: hundreds).
        Assert.True(bucket.Proxy.MaxInFlight >= 4, $"at most {bucket.Proxy.MaxInFlight} request(s) were in flight at once");
    }

    [Fact]
    public async Task Copy_Backup_copies_several_files_at_once_and_each_reads_back_the_same()
    {
        await using var bucket = await DistantBucket.StartAsync("copy-files");
        var source = await bucket.CreateAsync("source", EndToEndHelpers.Passphrase);
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
        var distant = await bucket.OpenDistantAsync("source", EndToEndHelpers.Passphrase);
        var destination = await bucket.CreateAsync("copy", "the copy's own passphrase");
        var outcome = await CopyBackup.RunAsync(distant, destination, new CopyBackupRequest { BackupId = manifest.Id }, null, NullBackupLog.Instance);

        Assert.Equal(24, outcome.ChunksNew);
        Assert.True(bucket.Proxy.MaxInFlight >= 4, $"at most {bucket.Proxy.MaxInFlight} request(s) were in flight at once");
        var copied = await destination.LoadManifestAsync(manifest.Id);
        Assert.Equal(component.Files.Select(f => f.Name), copied.Components.Single().Files.Select(f => f.Name)); // the manifest's order
        foreach (var file in copied.Components.Single().Files)
        {
            var read = new MemoryStream();
            await destination.ReadFileAsync(file, read);
            Assert.Equal(data[file.Name], read.ToArray());
        }
    }

    /// <summary>A bucket on s3rver, reached directly or, as from a distant region, through a proxy that adds latency.</summary>
    private sealed class DistantBucket : IAsyncDisposable
    {
        private readonly List<IDisposable> _opened = new();
        private readonly S3Server _s3;
        private readonly string _bucket;

        private DistantBucket(S3Server s3, string bucket)
        {
            (_s3, _bucket) = (s3, bucket);
            Proxy = FaultProxy.Start(s3.Endpoint);
        }

        public FaultProxy Proxy { get; }

        public static async Task<DistantBucket> StartAsync(string name)
        {
            var s3 = await EndToEndHelpers.S3Async();
            var bucket = EndToEndHelpers.NewBucketName(name);
            await BlobStoreFactory.PrepareAsync(EndToEndHelpers.S3Location(s3, bucket, "repo"));
            return new DistantBucket(s3, bucket);
        }

        /// <summary>A new repository under <paramref name="prefix"/>, reached directly.</summary>
        public async Task<BackupRepository> CreateAsync(string prefix, string passphrase)
        {
            var store = Keep(BlobStoreFactory.Open(EndToEndHelpers.S3Location(_s3, _bucket, prefix)));
            return Keep(await BackupRepository.CreateAsync(store, passphrase, EndToEndHelpers.FastOptions()));
        }

        /// <summary>The repository under <paramref name="prefix"/> through the proxy, which from now on answers each request 30 ms late.</summary>
        public async Task<BackupRepository> OpenDistantAsync(string prefix, string passphrase)
        {
            var store = Keep(BlobStoreFactory.Open(EndToEndHelpers.S3Location(_s3, _bucket, prefix, Proxy.Endpoint)));
            var repository = Keep(await BackupRepository.OpenAsync(store, passphrase));
            Proxy.Latency = TimeSpan.FromMilliseconds(30);
            Proxy.ResetInFlight();
            return repository;
        }

        private T Keep<T>(T opened) where T : IDisposable
        {
            _opened.Add(opened);
            return opened;
        }

        public async ValueTask DisposeAsync()
        {
            for (var i = _opened.Count - 1; i >= 0; i--) _opened[i].Dispose();
            await Proxy.DisposeAsync();
        }
    }
}
