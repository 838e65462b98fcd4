using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Tests.Postgres;
using Xunit;

namespace BackupTools.Tests.EndToEnd;

/// <summary>Acceptance 6: each everyday mistake is its own error kind, and none of them writes to the repository.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ErrorKindTests(PostgresFixture fixture) : IAsyncLifetime
{
    private readonly EndToEndHelpers _e2e = new(fixture.Cluster);
    private readonly TempFolder _folder = new("bt-e2e-errors");
    private BackupRepository _repository = null!;
    private string _backupId = "";

    public async Task InitializeAsync()
    {
        var db = await _e2e.Cluster.CreateDatabaseAsync("e2e_err");
        await _e2e.Cluster.ExecuteAsync(db, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 100) i;");
        _repository = await BackupRepository.CreateAsync(BlobStoreFactory.Open(BlobStoreFactory.Parse(_folder.Path)),
            EndToEndHelpers.Passphrase, EndToEndHelpers.FastOptions());
        _backupId = (await _e2e.BackupAsync(_repository, db)).Id;
    }

    public Task DisposeAsync()
    {
        _repository.Store.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public Task A_wrong_passphrase_is_AuthenticationFailed() => ExpectAsync(BackupErrorKind.AuthenticationFailed, _folder.Path,
        () => BackupRepository.OpenAsync(OpenStore(_folder.Path), "not the passphrase"));

    [Fact]
    public Task An_unknown_backup_id_is_NotFound_naming_it() => ExpectAsync(BackupErrorKind.NotFound, "20000101T000000Z-abcdef",
        async () =>
        {
            using var repository = await BackupRepository.OpenAsync(OpenStore(_folder.Path), EndToEndHelpers.Passphrase);
            Assert.Equal(_backupId, Assert.Single(await repository.ListManifestsAsync()).Id);
            return await repository.LoadManifestAsync("20000101T000000Z-abcdef");
        });

    [Fact]
    public Task An_unparseable_connection_string_is_InvalidArgument_naming_it() => ExpectAsync(BackupErrorKind.InvalidArgument, "this is not a connection string",
        () => BackupAsync("this is not a connection string"));

    [Fact]
    public Task An_unreachable_server_is_ConnectionFailed_naming_it()
    {
        var port = EndToEndHelpers.ClosedLoopbackPort();
        return ExpectAsync(BackupErrorKind.ConnectionFailed, $"127.0.0.1:{port}",
            () => BackupAsync($"host=127.0.0.1 port={port} dbname=postgres user=postgres password=Unused-Pw-5d1"));
    }

    [Fact]
    public async Task A_missing_repository_is_NotFound_and_its_folder_is_not_created()
    {
        var missing = Path.Combine(_folder.Path + "-missing", "repo");
        await ExpectAsync(BackupErrorKind.NotFound, missing, () => BackupRepository.OpenAsync(OpenStore(missing), EndToEndHelpers.Passphrase));
        Assert.False(Directory.Exists(_folder.Path + "-missing"));
    }

    private static IBlobStore OpenStore(string path) => BlobStoreFactory.Open(BlobStoreFactory.Parse(path));

    private Task<Manifest> BackupAsync(string connectionString) =>
        LogicalBackup.RunAsync(_repository, new DatabaseBackupRequest { ConnectionString = connectionString }, null, NullBackupLog.Instance);

    /// <summary>Runs <paramref name="action"/>: it must throw <paramref name="kind"/> naming <paramref name="named"/>, and leave the repository folder as it was.</summary>
    private async Task ExpectAsync<T>(BackupErrorKind kind, string named, Func<Task<T>> action)
    {
        var before = _folder.Snapshot();
        Assert.Contains(before, f => f.StartsWith("snapshots/" + _backupId, StringComparison.Ordinal));

        var e = await Assert.ThrowsAsync<BackupToolsException>(async () => await action());

        Assert.Equal(kind, e.Kind);
        Assert.Contains(named, e.Message);
        Assert.DoesNotContain(EndToEndHelpers.Passphrase, e.ToString());
        Assert.DoesNotContain("Unused-Pw-5d1", e.Message);
        Assert.Equal(before, _folder.Snapshot());
    }
}
