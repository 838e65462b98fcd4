using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Sources.ObjectStorage;
using BackupTools.Testing;
using BackupTools.Tests.EndToEnd;
using Xunit;

namespace BackupTools.Tests.ObjectStorage;

/// <summary>Storage buckets backed up from and restored to the run's s3rver, a bucket per test.</summary>
public sealed class ObjectStorageBackupTests : IAsyncLifetime
{
    private StorageTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await StorageTestBed.StartAsync();

    public Task DisposeAsync()
    {
        _bed.Dispose();
        return Task.CompletedTask;
    }

    private static readonly Dictionary<string, string> Meta = new() { ["owner"] = "alice", ["checksum-kind"] = "none" };

    /// <summary>Keys with spaces, unicode and nested prefixes, an empty object and a 50 MiB one, with headers and metadata.</summary>
    private static IReadOnlyList<SeedObject> AwkwardObjects() =>
    [
        new("plain.txt", "hello storage"u8.ToArray(), "text/plain", "max-age=60", null, Meta),
        new("with space/a file (1).txt", StorageTestBed.Bytes(3000, 1), "text/plain; charset=utf-8"),
        new("ünïcødé/日本語 ファイル.bin", StorageTestBed.Bytes(70_000, 2), "application/octet-stream", null, "attachment; filename=\"x.bin\""),
        new("deep/nested/prefix/of/many/levels/data.json", "{\"a\":1}"u8.ToArray(), "application/json", "no-cache", null, new Dictionary<string, string> { ["x"] = "1" }),
        new("empty-object", [], "image/png"),
        new("large/fifty-mib.bin", StorageTestBed.Bytes(50 << 20, 3), "video/mp4", "public, max-age=31536000", null, Meta),
    ];

    [Fact]
    public async Task Awkward_keys_an_empty_and_a_50_MiB_object_restore_into_another_bucket_with_identical_bytes_types_and_metadata()
    {
        var source = await _bed.S3.CreateBucketAsync("st-awkward");
        await _bed.PutAsync(source, AwkwardObjects());
        var repository = await _bed.NewRepositoryAsync();

        var manifest = await _bed.BackupAsync(repository, source);

        Assert.Equal("files", manifest.Kind);
        var component = Assert.Single(manifest.Components);
        Assert.Equal(ObjectStorageBackup.ComponentType, component.Type);
        Assert.Equal(_bed.S3.Endpoint, component.Source["endpoint"]);
        Assert.Equal(6, component.Files.Count);
        var empty = component.Files.Single(f => f.Object!.Key == "empty-object");
        Assert.Equal(0, empty.Size);
        Assert.Empty(empty.Chunks);
        Assert.Equal("image/png", empty.Object!.ContentType);
        Assert.Equal("alice", component.Files.Single(f => f.Object!.Key == "plain.txt").Object!.Metadata!["owner"]);
        Assert.All(await repository.VerifyAsync(manifest, VerifyLevel.Full), c => Assert.True(c.Success, string.Join("; ", c.Errors)));

        var target = StorageTestBed.NewBucketName("st-awkward-copy");
        var outcome = await _bed.RestoreAsync(repository, manifest, targetBucket: target);

        Assert.Equal([target], outcome.BucketsCreated);
        Assert.Equal(6, outcome.ObjectsRestored);
        Assert.Equal(50L * 1024 * 1024 + 3000 + 70_000 + 13 + 7, outcome.BytesRestored);
        Assert.Equal(await _bed.ReadBucketAsync(source), await _bed.ReadBucketAsync(target));
    }

    [Fact]
    public async Task Delta_skips_identical_objects_and_mirror_deletes_only_what_the_backup_lacks()
    {
        var source = await _bed.S3.CreateBucketAsync("st-delta");
        await _bed.PutAsync(source, AwkwardObjects().Where(o => o.Body.Length < 1 << 20));
        var repository = await _bed.NewRepositoryAsync();
        var manifest = await _bed.BackupAsync(repository, source);
        var target = StorageTestBed.NewBucketName("st-delta-copy");
        await _bed.RestoreAsync(repository, manifest, targetBucket: target);

        // One object changed at the target, one added there.
        await _bed.PutAsync(target, [new SeedObject("plain.txt", "changed"u8.ToArray(), "text/plain", "max-age=60", null, Meta), new SeedObject("extra/only-at-target.txt", [1, 2, 3])]);
        var request = new StorageRestoreRequest { Target = _bed.Endpoint(), TargetBucket = target, Delta = true };
        var extra = await ObjectStorageRestore.FindExtraObjectsAsync(manifest, request);
        Assert.Equal([new StorageObjectRef(target, "extra/only-at-target.txt")], extra);

        var outcome = await _bed.RestoreAsync(repository, manifest, targetBucket: target, delta: true, deletions: extra);

        Assert.Equal(1, outcome.ObjectsRestored);
        Assert.Equal(4, outcome.ObjectsSkipped);
        Assert.Equal(1, outcome.ObjectsDeleted);
        Assert.Empty(outcome.BucketsCreated);
        Assert.Equal(await _bed.ReadBucketAsync(source), await _bed.ReadBucketAsync(target));

        // Without -Mirror's deletions an extra object is left alone; a deletion outside the restore is refused.
        await _bed.PutAsync(target, [new SeedObject("keep-me", [9])]);
        await _bed.RestoreAsync(repository, manifest, targetBucket: target, delta: true);
        Assert.Contains(await _bed.ReadBucketAsync(target), o => o.Key == "keep-me");
        var refused = await Assert.ThrowsAsync<BackupToolsException>(() =>
            _bed.RestoreAsync(repository, manifest, targetBucket: target, deletions: [new StorageObjectRef(target, "plain.txt")]));
        Assert.Equal(BackupErrorKind.InvalidArgument, refused.Kind);
    }

    [Fact]
    public async Task Changing_10_of_1000_objects_downloads_only_those_10_and_stores_about_their_size()
    {
        const int size = 6000;
        var source = await _bed.S3.CreateBucketAsync("st-incr");
        await _bed.PutAsync(source, Enumerable.Range(0, 1000).Select(i => new SeedObject($"objects/{i % 10}/item-{i:D4}.dat", StorageTestBed.Bytes(size, i), "application/x-test")));
        await using var proxy = FaultProxy.Start(_bed.S3.Endpoint);
        var repository = await _bed.NewRepositoryAsync();

        var first = await _bed.BackupAsync(repository, source, proxy.Endpoint);
        Assert.Equal(1000, proxy.ObjectGets(source));
        Assert.Equal(1000, first.Components[0].Files.Count);

        proxy.ClearGetPaths();
        var unchanged = await _bed.BackupAsync(repository, source, proxy.Endpoint);
        Assert.Equal(0, proxy.ObjectGets(source));
        Assert.Equal(0, unchanged.Stats.BytesAdded);
        Assert.Equal(first.Components[0].Files.Select(f => f.Chunks.Count), unchanged.Components[0].Files.Select(f => f.Chunks.Count));

        var changed = Enumerable.Range(0, 10).Select(i => i * 97).ToList();
        await _bed.PutAsync(source, changed.Select(i => new SeedObject($"objects/{i % 10}/item-{i:D4}.dat", StorageTestBed.Bytes(size, 10_000 + i), "application/x-test")));
        proxy.ClearGetPaths();
        var second = await _bed.BackupAsync(repository, source, proxy.Endpoint);

        Assert.Equal(changed.Select(i => $"/{source}/objects/{i % 10}/item-{i:D4}.dat").Order(), proxy.GetPaths.Where(p => p.StartsWith($"/{source}/", StringComparison.Ordinal) && p.Length > source.Length + 2).Order());
        Assert.Equal(10L * size, second.Stats.BytesRead);
        Assert.InRange(second.Stats.BytesAdded, 10L * size, 10L * size + 10 * 1024);
        Assert.Equal(first.Id, unchanged.Parent);

        // The same bytes written again with a new content type (same ETag, new last-modified): the object is not
        // downloaded, its headers are refreshed.
        var touched = "objects/3/item-0003.dat";
        await Task.Delay(1100); // a last-modified time that differs even at whole seconds
        await _bed.PutAsync(source, [new SeedObject(touched, StorageTestBed.Bytes(size, 3), "text/x-new")]);
        proxy.ClearGetPaths();
        var retagged = await _bed.BackupAsync(repository, source, proxy.Endpoint);
        Assert.Empty(proxy.GetPaths.Where(p => p.StartsWith($"/{source}/", StringComparison.Ordinal) && p.Length > source.Length + 2));
        Assert.Equal("text/x-new", retagged.Components[0].Files.Single(f => f.Object!.Key == touched).Object!.ContentType);

        // -Full reads everything again (and stores nothing new).
        proxy.ClearGetPaths();
        var full = await _bed.BackupAsync(repository, source, proxy.Endpoint, full: true);
        Assert.Equal(1000, proxy.ObjectGets(source));
        Assert.Equal(0, full.Stats.BytesAdded);

        var target = StorageTestBed.NewBucketName("st-incr-copy");
        await _bed.RestoreAsync(repository, full, targetBucket: target);
        Assert.Equal(await _bed.ReadBucketAsync(source), await _bed.ReadBucketAsync(target));
    }

    [Fact]
    public async Task Objects_are_reused_only_when_every_destination_has_them_from_its_previous_backup()
    {
        var source = await _bed.S3.CreateBucketAsync("st-multi");
        await _bed.PutAsync(source, Enumerable.Range(0, 5).Select(i => new SeedObject($"o{i}", StorageTestBed.Bytes(1000, i))));
        await using var proxy = FaultProxy.Start(_bed.S3.Endpoint);
        var a = await _bed.NewRepositoryAsync("a");
        var b = await _bed.NewRepositoryAsync("b");
        await _bed.BackupAsync(a, source, proxy.Endpoint);

        proxy.ClearGetPaths();
        await _bed.BackupAsync([a, b], [source], proxy.Endpoint);
        Assert.Equal(5, proxy.ObjectGets(source)); // b had no previous backup: read once, written to both

        proxy.ClearGetPaths();
        var both = await _bed.BackupAsync([a, b], [source], proxy.Endpoint);
        Assert.Equal(0, proxy.ObjectGets(source));
        var fromB = await b.LoadManifestAsync(both.Id);
        Assert.All(await b.VerifyAsync(fromB, VerifyLevel.Full), c => Assert.True(c.Success));
    }

    [Fact]
    public async Task An_object_deleted_after_the_listing_is_left_out_with_a_warning()
    {
        var source = await _bed.S3.CreateBucketAsync("st-gone");
        await _bed.PutAsync(source, [new SeedObject("stays", [1]), new SeedObject("goes", [2])]);
        var repository = await _bed.NewRepositoryAsync();
        var log = new DeleteAfterListing(() => _bed.Client.DeleteObjectAsync(source, "goes").GetAwaiter().GetResult());
        var request = new BackupJobRequest { Storage = new StorageBackupRequest { Source = _bed.Endpoint(), Buckets = [source] } };

        var manifest = Assert.Single(await BackupJob.RunAsync([repository], request, null, log)).Manifest!;

        Assert.Equal(["stays"], manifest.Components[0].Files.Select(f => f.Object!.Key));
        Assert.Contains(manifest.Components[0].Warnings!, w => w.Contains("'goes'") && w.Contains(source));
    }

    /// <summary>Runs an action when the storage source reports its listing (before any object is read).</summary>
    private sealed class DeleteAfterListing(Action action) : IBackupLog
    {
        public void Write(LogLevel level, string message)
        {
            if (message.Contains(" objects (", StringComparison.Ordinal)) action();
        }
    }

    [Fact]
    public async Task A_flipped_byte_in_an_objects_chunk_is_reported_by_a_full_check_naming_bucket_and_key()
    {
        var source = await _bed.S3.CreateBucketAsync("st-corrupt");
        const string key = "photos/2024/holiday photo.jpg";
        await _bed.PutAsync(source, [new SeedObject(key, StorageTestBed.Bytes(600_000, 5), "image/jpeg"), new SeedObject("other", [1])]);
        var repository = await _bed.NewRepositoryAsync();
        var manifest = await _bed.BackupAsync(repository, source);
        var file = manifest.Components[0].Files.Single(f => f.Object!.Key == key);
        Assert.True(file.Chunks.Count > 1);
        var chunk = file.Chunks[1];
        var path = Path.Combine(_bed.Folder, "repo", "data", chunk.Id[..2], chunk.Id);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);

        Assert.All(await repository.VerifyAsync(manifest, VerifyLevel.Quick), c => Assert.True(c.Success));
        var check = Assert.Single(await repository.VerifyAsync(manifest, VerifyLevel.Full));
        Assert.False(check.Success);
        var error = Assert.Single(check.Errors);
        Assert.Contains(chunk.Id, error);
        Assert.Contains($"'{key}'", error);
        Assert.Contains($"'{source}'", error);

        // A restore stops at the damaged object before committing it.
        var target = StorageTestBed.NewBucketName("st-corrupt-copy");
        var failure = await Assert.ThrowsAsync<BackupToolsException>(() => _bed.RestoreAsync(repository, manifest, targetBucket: target));
        Assert.Equal(BackupErrorKind.Corrupt, failure.Kind);
        Assert.Contains(key, failure.Message);
        Assert.DoesNotContain(await _bed.ReadBucketAsync(target), o => o.Key == key);
    }

    [Fact]
    public async Task A_missing_bucket_wrong_keys_or_an_unreachable_endpoint_fail_clearly_and_write_no_backup()
    {
        var source = await _bed.S3.CreateBucketAsync("st-bad");
        await _bed.PutAsync(source, [new SeedObject("a", [1, 2, 3])]);
        var repository = await _bed.NewRepositoryAsync();
        var missing = StorageTestBed.NewBucketName("st-missing");

        async Task<BackupToolsException> FailsAsync(StorageEndpointOptions endpoint, params string[] buckets)
        {
            var request = new BackupJobRequest { Storage = new StorageBackupRequest { Source = endpoint, Buckets = buckets } };
            return await Assert.ThrowsAsync<BackupToolsException>(() => BackupJob.RunAsync([repository], request, null, NullBackupLog.Instance));
        }

        var notFound = await FailsAsync(_bed.Endpoint(), source, missing);
        Assert.Equal(BackupErrorKind.NotFound, notFound.Kind);
        Assert.Contains(missing, notFound.Message);

        var refused = await FailsAsync(_bed.Endpoint(accessKey: "NOSUCHKEY", secretKey: "not-the-secret-9f2c"), source);
        Assert.Equal(BackupErrorKind.AuthenticationFailed, refused.Kind);
        Assert.DoesNotContain("not-the-secret-9f2c", refused.ToString());

        var closed = $"http://127.0.0.1:{EndToEndHelpers.ClosedLoopbackPort()}";
        var unreachable = await FailsAsync(_bed.Endpoint(through: closed), source);
        Assert.Equal(BackupErrorKind.ConnectionFailed, unreachable.Kind);
        Assert.Contains(closed, unreachable.Message);

        var badUrl = await FailsAsync(new StorageEndpointOptions { Endpoint = "ftp://example" }, source);
        Assert.Equal(BackupErrorKind.InvalidArgument, badUrl.Kind);

        Assert.Empty(await repository.ListManifestsAsync());
    }
}
