using BackupTools.Core;
using BackupTools.Core.Repository;
using BackupTools.Core.Retention;
using BackupTools.Core.Storage;
using BackupTools.Tests.EndToEnd;
using BackupTools.Tests.Postgres;
using Xunit;

namespace BackupTools.Tests.Retention;

/// <summary>A prune started while a real logical backup (pg_dump) is uploading into the same repository.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ConcurrentPruneTests(PostgresFixture fixture)
{
    private readonly EndToEndHelpers _e2e = new(fixture.Cluster);

    [Fact]
    public async Task A_prune_during_a_running_logical_backup_is_refused_and_deletes_no_chunk_the_backup_then_references()
    {
        var db = await _e2e.NewSampleDatabaseAsync("prune");
        using var kit = await PruneTestKit.CreateAsync("local");
        using var pruner = await kit.CreateRepositoryAsync();
        // The first backup's chunks lose their manifest: garbage to a prune, but the next backup reuses most of them.
        var old = await _e2e.BackupAsync(pruner, db);
        await pruner.DeleteManifestAsync(old.Id);

        // The second backup runs through a store that holds its first new chunk upload until released: pg_dump is
        // running and the backup holds its lock while the prune is attempted.
        var held = new HoldingBlobStore(kit.Store);
        using var writer = await BackupRepository.OpenAsync(held, Format.TempRepository.Passphrase);
        var running = _e2e.BackupAsync(writer, db);
        await held.Holding.WaitAsync(TimeSpan.FromMinutes(2));
        var before = await kit.ObjectsAsync("data/");

        var busy = await Assert.ThrowsAsync<BackupToolsException>(() => pruner.PruneAsync(new PruneOptions { GracePeriod = TimeSpan.Zero }));
        Assert.Equal(BackupErrorKind.ResourceBusy, busy.Kind);
        Assert.Contains("a shared lock", busy.Message);
        Assert.Equal(before.Keys.Order(), (await kit.ObjectsAsync("data/")).Keys.Order());

        held.Release();
        var backup = await running;
        Assert.True(backup.Stats.ChunksNew < backup.Stats.ChunksTotal, "the running backup reused chunks of the removed one");
        var result = await pruner.PruneAsync(new PruneOptions { GracePeriod = TimeSpan.Zero });
        var referenced = backup.Components.SelectMany(c => c.Files).SelectMany(f => f.Chunks).Select(c => c.Id).ToHashSet();
        Assert.Equal(referenced.Count, result.ChunksReferenced);
        Assert.Equal(referenced.Order(), (await kit.ObjectsAsync("data/")).Keys.Select(k => k[(k.LastIndexOf('/') + 1)..]).Order());
        Assert.All(await pruner.VerifyAsync(await pruner.LoadManifestAsync(backup.Id), VerifyLevel.Full),
            check => Assert.True(check.Success, string.Join("; ", check.Errors)));
    }

    /// <summary>A real store whose chunk uploads wait, from the first one on, until <see cref="Release"/>.</summary>
    private sealed class HoldingBlobStore(IBlobStore inner) : IBlobStore
    {
        private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Holding => _holding.Task;
        public void Release() => _released.TrySetResult();

        public string Location => inner.Location;

        public async Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
        {
            if (key.StartsWith("data/", StringComparison.Ordinal))
            {
                _holding.TrySetResult();
                await _released.Task.WaitAsync(ct);
            }
            await inner.PutAsync(key, data, ct);
        }

        public Task<byte[]> GetAsync(string key, CancellationToken ct = default) => inner.GetAsync(key, ct);
        public Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken ct = default) => inner.GetRangeAsync(key, offset, length, ct);
        public Task<BlobInfo?> StatAsync(string key, CancellationToken ct = default) => inner.StatAsync(key, ct);
        public IAsyncEnumerable<BlobInfo> ListAsync(string prefix, CancellationToken ct = default) => inner.ListAsync(prefix, ct);
        public Task DeleteAsync(string key, CancellationToken ct = default) => inner.DeleteAsync(key, ct);
        public void Dispose() { }
    }
}
