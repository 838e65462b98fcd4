using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Tests.Postgres;
using Xunit;

namespace BackupTools.Tests.EndToEnd;

/// <summary>Acceptance 5: one flipped byte in one chunk is found by a full verify and stops a restore before it starts.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CorruptionTests(PostgresFixture fixture)
{
    private readonly EndToEndHelpers _e2e = new(fixture.Cluster);

    [Fact]
    public async Task A_flipped_byte_fails_full_verify_naming_the_chunk_and_no_restore_touches_a_database()
    {
        var db = await _e2e.NewSampleDatabaseAsync();
        var original = await _e2e.FingerprintAsync(db);
        using var folder = new TempFolder("bt-e2e-corrupt");
        using var store = BlobStoreFactory.Open(BlobStoreFactory.Parse(folder.Path));
        using var repository = await BackupRepository.CreateAsync(store, EndToEndHelpers.Passphrase, EndToEndHelpers.FastOptions());
        var backupId = (await _e2e.BackupAsync(repository, db)).Id;
        var manifest = await repository.LoadManifestAsync(backupId);
        var dump = manifest.Components.Single(c => c.Type == "database").Files.Single(f => f.Name == LogicalBackup.DumpFileName);
        Assert.True(dump.Chunks.Count > 2, $"the dump has only {dump.Chunks.Count} chunks");

        var chunk = dump.Chunks[dump.Chunks.Count / 2];
        var path = Path.Combine(folder.Path, "data", chunk.Id[..2], chunk.Id);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);

        // Quick sees the right size; Full reads it and names it.
        Assert.All(await repository.VerifyAsync(manifest, VerifyLevel.Quick), c => Assert.True(c.Success));
        var checks = await repository.VerifyAsync(manifest, VerifyLevel.Full);
        var database = Assert.Single(checks, c => c.Component == "database");
        Assert.False(database.Success);
        var error = Assert.Single(database.Errors);
        Assert.Contains(chunk.Id, error);

        var inPlace = await Assert.ThrowsAsync<BackupToolsException>(() => _e2e.RestoreInPlaceAsync(repository, manifest, db));
        Assert.Equal(BackupErrorKind.Corrupt, inPlace.Kind);
        Assert.Contains(chunk.Id, inPlace.Message);
        Assert.Equal(original, await _e2e.FingerprintAsync(db));

        var copy = db + "_corrupt";
        var asNew = await Assert.ThrowsAsync<BackupToolsException>(() => _e2e.RestoreAsNewAsync(repository, manifest, copy));
        Assert.Equal(BackupErrorKind.Corrupt, asNew.Kind);
        Assert.False(await _e2e.DatabaseExistsAsync(copy));
        Assert.Empty(Directory.EnumerateFiles(Path.GetTempPath(), $"bt-restore-{manifest.Id}-*"));
    }
}
