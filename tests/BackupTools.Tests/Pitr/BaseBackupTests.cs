using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using Npgsql;
using Xunit;

namespace BackupTools.Tests.Pitr;

/// <summary>
/// Both ways of taking a base backup against real PostgreSQL 15: reading the data directory directly while inserts and
/// scattered updates run, and pg_basebackup's stream (forced); a recovery from each to the restore point made after it
/// gives exactly the table as it was at that point.
/// </summary>
[Collection(BaseBackupCollection.Name)]
public sealed class BaseBackupTests(BaseBackupFixture fixture)
{
    [Fact]
    public void A_local_data_directory_is_read_directly_in_parts_with_the_labelfile()
    {
        var component = fixture.Direct.Components.Single();
        Assert.Equal("direct", component.Source["baseBackupMethod"]);
        var tars = PhysicalBackup.TarFiles(component.Files);
        Assert.Equal(Enumerable.Range(1, tars.Count).Select(PhysicalBackup.TarPartName), tars.Select(t => t.Name));
        Assert.Equal(Math.Min(Environment.ProcessorCount, tars.Count), tars.Count);
        Assert.DoesNotContain(component.Files, f => f.Name == PhysicalBackup.BaseTarFileName);
        Assert.Contains(component.Files, f => f.Name == PhysicalBackup.BackupLabelFileName && f.Size > 0);
        Assert.True(fixture.ConcurrentStatements > 0, "the load did not run while the backup read the files");
    }

    [Fact]
    public async Task Recovery_from_a_direct_backup_taken_under_load_gives_exactly_the_table_at_the_restore_point()
        => await RecoverAndCompareAsync("direct", fixture.Direct, BaseBackupFixture.AfterDirect, fixture.FingerprintAfterDirect);

    [Fact]
    public void The_forced_fallback_streams_pg_basebackup_into_one_base_tar()
    {
        var component = fixture.Streamed.Components.Single();
        Assert.Equal("pg_basebackup", component.Source["baseBackupMethod"]);
        Assert.Equal(new[] { PhysicalBackup.BaseTarFileName }, PhysicalBackup.TarFiles(component.Files).Select(f => f.Name));
        Assert.DoesNotContain(component.Files, f => f.Name == PhysicalBackup.BackupLabelFileName);
    }

    [Fact]
    public async Task Recovery_from_a_pg_basebackup_stream_gives_exactly_the_table_at_the_restore_point()
        => await RecoverAndCompareAsync("streamed", fixture.Streamed, BaseBackupFixture.AfterStreamed, fixture.FingerprintAfterStreamed);

    [Fact]
    public async Task Test_backup_passes_for_both_layouts()
    {
        foreach (var backup in new[] { fixture.Direct, fixture.Streamed })
        {
            var checks = await fixture.Repository.VerifyAsync(backup, VerifyLevel.Full);
            Assert.All(checks, c => Assert.True(c.Success, string.Join("; ", c.Errors)));
        }
    }

    private async Task RecoverAndCompareAsync(string name, Manifest backup, string restorePoint, string expected)
    {
        var outcome = await fixture.RecoverAndQueryAsync(name, RecoveryTarget.AtName(restorePoint),
            async conn => Assert.Equal(expected, await BaseBackupFixture.FingerprintAsync(conn)), backup.Id);
        Assert.Equal(backup.Id, outcome.BackupId);
        Assert.Equal(backup.Components.Single().Files.Sum(f => f.Size), outcome.BytesRestored);
    }
}

/// <summary>
/// A cluster with a table of a few MB: a direct base backup while another session inserts rows and updates scattered
/// ones, a restore point after the load stopped; then a pg_basebackup backup (forced), more rows and a second restore point.
/// </summary>
public sealed class BaseBackupFixture : ArchivingClusterFixture
{
    public const string AfterDirect = "after_direct";
    public const string AfterStreamed = "after_streamed";

    public Manifest Direct { get; private set; } = null!;
    public Manifest Streamed { get; private set; } = null!;
    public string FingerprintAfterDirect { get; private set; } = "";
    public string FingerprintAfterStreamed { get; private set; } = "";
    /// <summary>Statements the load committed while the direct backup ran.</summary>
    public int ConcurrentStatements { get; private set; }

    protected override async Task PrepareAsync()
    {
        await Cluster.ExecuteAsync("postgres",
            "CREATE TABLE load (id serial PRIMARY KEY, phase int, filler text); " +
            "INSERT INTO load (phase, filler) SELECT 0, repeat(md5(g::text), 8) FROM generate_series(1, 30000) g");
        await SwitchAndWaitForArchiveAsync();

        using var stop = new CancellationTokenSource();
        var load = Task.Run(() => RunLoadAsync(stop.Token));
        try
        {
            Direct = await PhysicalBackupAsync();
        }
        finally
        {
            stop.Cancel();
            ConcurrentStatements = await load;
        }
        FingerprintAfterDirect = await MarkAsync(AfterDirect);

        Streamed = await PhysicalBackupAsync(stream: true);
        await Cluster.ExecuteAsync("postgres", "INSERT INTO load (phase, filler) SELECT 2, 'after' FROM generate_series(1, 100)");
        FingerprintAfterStreamed = await MarkAsync(AfterStreamed);
        await SwitchAndWaitForArchiveAsync();
    }

    /// <summary>Inserts a row and updates rows spread over the whole table, one commit each, until stopped; returns the commits.</summary>
    private async Task<int> RunLoadAsync(CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(Cluster.ConnectionString("postgres"));
        await conn.OpenAsync();
        var statements = 0;
        while (!ct.IsCancellationRequested)
        {
            await using var cmd = new NpgsqlCommand(
                "INSERT INTO load (phase, filler) VALUES (1, md5(random()::text)); " +
                "UPDATE load SET filler = md5(filler) WHERE id % 997 = (SELECT count(*) FROM load) % 997", conn);
            await cmd.ExecuteNonQueryAsync(CancellationToken.None);
            statements++;
        }
        return statements;
    }

    /// <summary>The table's fingerprint now, then a restore point named <paramref name="restorePoint"/> (nothing else writes in between).</summary>
    private async Task<string> MarkAsync(string restorePoint)
    {
        await using var conn = new NpgsqlConnection(Cluster.ConnectionString("postgres"));
        await conn.OpenAsync();
        var fingerprint = await FingerprintAsync(conn);
        await using var cmd = new NpgsqlCommand($"SELECT pg_create_restore_point('{restorePoint}')", conn);
        await cmd.ExecuteNonQueryAsync();
        return fingerprint;
    }

    /// <summary>Row count, phases and an md5 over every row in id order.</summary>
    public static async Task<string> FingerprintAsync(NpgsqlConnection conn)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT count(*) || ' rows; ' || string_agg(DISTINCT phase::text, ',') || '; ' || md5(string_agg(id || ':' || phase || ':' || filler, ',' ORDER BY id)) FROM load", conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}

[CollectionDefinition(Name)]
public sealed class BaseBackupCollection : ICollectionFixture<BaseBackupFixture>
{
    public const string Name = "BaseBackup";
}
