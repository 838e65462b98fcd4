using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Tests.Postgres;
using Xunit;
using Xunit.Abstractions;

namespace BackupTools.Tests.EndToEnd;

/// <summary>Acceptance 4: a second backup after a small change stores a small share of the first.</summary>
[Collection(PostgresCollection.Name)]
public sealed class IncrementalCostTests(PostgresFixture fixture, ITestOutputHelper output)
{
    // Big enough (~130 MB of dump, ~100 chunks at the default 1 MiB average) that the few chunks around each
    // changed region (dump header, the updated range, the new row versions at the end of the table) are a small
    // share, as on a real database; at ~25 chunks one large chunk alone is 5-10 % and the ratio was noisy.
    private const int Rows = 1_000_000;
    private readonly EndToEndHelpers _e2e = new(fixture.Cluster);

    [Fact]
    public async Task Updating_one_percent_of_the_rows_adds_under_a_fifth_of_the_first_backup()
    {
        var cluster = _e2e.Cluster;
        var db = await cluster.CreateDatabaseAsync("e2e_incr");
        using var folder = new TempFolder("bt-e2e-incr");
        try
        {
            // Mixed data: text that compresses and random bytes that do not.
            await cluster.ExecuteAsync(db, $"""
                CREATE TABLE public.items (id int PRIMARY KEY, name text, note text, payload bytea);
                INSERT INTO public.items
                  SELECT i, 'item-' || i, 'note ' || md5(i::text) || ' ' || (i % 97), decode(md5(random()::text) || md5(random()::text), 'hex')
                  FROM generate_series(1, {Rows}) i;
                """);
            using var store = BlobStoreFactory.Open(BlobStoreFactory.Parse(folder.Path));
            // Default chunk sizes: the cost a user gets.
            var options = EndToEndHelpers.FastOptions();
            var defaults = new RepositoryCreateOptions();
            (options.ChunkMinSize, options.ChunkAverageSize, options.ChunkMaxSize) = (defaults.ChunkMinSize, defaults.ChunkAverageSize, defaults.ChunkMaxSize);
            using var repository = await BackupRepository.CreateAsync(store, EndToEndHelpers.Passphrase, options);

            var first = await _e2e.BackupAsync(repository, db);
            await cluster.ExecuteAsync(db, $"""
                UPDATE public.items SET note = note || ' changed', payload = decode(md5(random()::text), 'hex')
                WHERE id BETWEEN {Rows / 2 + 1} AND {Rows / 2 + Rows / 100};
                """);
            var second = await _e2e.BackupAsync(repository, db);

            var ratio = (double)second.Stats.BytesAdded / first.Stats.BytesAdded;
            output.WriteLine($"First backup: {first.Stats.BytesRead:N0} bytes read, {first.Stats.BytesAdded:N0} added, {first.Stats.ChunksNew}/{first.Stats.ChunksTotal} chunks new.");
            output.WriteLine($"Second backup: {second.Stats.BytesRead:N0} bytes read, {second.Stats.BytesAdded:N0} added, {second.Stats.ChunksNew}/{second.Stats.ChunksTotal} chunks new.");
            output.WriteLine($"Second / first bytes added: {ratio:P1}");
            Assert.True(first.Stats.BytesAdded > 5_000_000, $"the first backup added only {first.Stats.BytesAdded:N0} bytes");
            Assert.True(second.Stats.ChunksNew > 0);
            Assert.True(ratio < 0.20, $"the second backup added {ratio:P1} of the first");
            Assert.Equal(first.Id, second.Parent);
        }
        finally
        {
            await _e2e.DropDatabaseAsync(db);
        }
    }
}
