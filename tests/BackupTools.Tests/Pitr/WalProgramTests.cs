using System.Diagnostics;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Core.Wal;
using BackupTools.Tests.EndToEnd;
using Xunit;

namespace BackupTools.Tests.Pitr;

/// <summary>The WAL program as PostgreSQL calls it: push and fetch one file, config from BACKUPTOOLS_WAL_CONFIG, exit codes.</summary>
public sealed class WalProgramTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "bt-walprog-" + Guid.NewGuid().ToString("N")[..8]);
    private BackupRepository _repository = null!;
    private string _config = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        var location = BlobStoreFactory.Parse(Path.Combine(_root, "repo"));
        _repository = await BackupRepository.CreateAsync(BlobStoreFactory.Open(location), EndToEndHelpers.Passphrase, EndToEndHelpers.FastOptions());
        _config = Path.Combine(_root, WalArchiveConfig.FileName);
        _repository.CreateWalArchiveConfig(location).Save(_config);
    }

    public Task DisposeAsync()
    {
        _repository.Store.Dispose();
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    private async Task<(int Code, string Stderr)> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo(PitrFixture.WalProgram) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = _root };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment[WalArchiveConfig.EnvironmentVariable] = _config;
        using var p = Process.Start(psi)!;
        var stderr = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, stderr);
    }

    private string Segment(int seed)
    {
        var path = Path.Combine(_root, $"segment-{seed}");
        File.WriteAllBytes(path, Format.TestData.Mixed(1024 * 1024, seed));
        return path;
    }

    [Fact]
    public async Task Push_then_fetch_gives_the_same_bytes_and_a_second_identical_push_succeeds()
    {
        const string name = "000000010000000000000007";
        var segment = Segment(1);
        Assert.Equal(0, (await RunAsync("push", segment, name)).Code);
        Assert.Equal(0, (await RunAsync("push", segment, name)).Code);
        var fetched = Path.Combine(_root, "fetched");
        Assert.Equal(0, (await RunAsync("fetch", name, fetched)).Code);
        Assert.Equal(await File.ReadAllBytesAsync(segment), await File.ReadAllBytesAsync(fetched));
        Assert.Equal(await File.ReadAllBytesAsync(segment), await _repository.FetchWalAsync(name));
    }

    [Fact]
    public async Task Push_of_different_content_under_an_archived_name_fails_loudly_and_keeps_the_first()
    {
        const string name = "000000010000000000000008";
        var first = Segment(2);
        Assert.Equal(0, (await RunAsync("push", first, name)).Code);
        var (code, stderr) = await RunAsync("push", Segment(3), name);
        Assert.NotEqual(0, code);
        Assert.Contains("different content", stderr);
        Assert.Equal(await File.ReadAllBytesAsync(first), await _repository.FetchWalAsync(name));
    }

    [Fact]
    public async Task Fetch_of_a_missing_file_returns_1_and_writes_nothing()
    {
        var destination = Path.Combine(_root, "never");
        Assert.Equal(1, (await RunAsync("fetch", "00000002.history", destination)).Code);
        Assert.False(File.Exists(destination));
    }

    [Fact]
    public async Task A_bad_name_or_a_missing_config_is_an_error_that_names_it()
    {
        var (code, stderr) = await RunAsync("push", Segment(4), "../../config.json");
        Assert.Equal(2, code);
        Assert.Contains("../../config.json", stderr);
        File.Delete(_config);
        (code, stderr) = await RunAsync("fetch", "000000010000000000000007", Path.Combine(_root, "x"));
        Assert.True(code > 125, "a fetch that cannot run must stop recovery, not look like the end of the archive");
        Assert.Contains(_config, stderr);
    }
}
