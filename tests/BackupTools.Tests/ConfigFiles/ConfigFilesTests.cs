using System.Text;
using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Sources.ConfigFiles;
using BackupTools.Tests.Format;
using Xunit;

namespace BackupTools.Tests.ConfigFiles;

/// <summary>
/// New-Backup -ConfigPath and Restore-Backup -Component Config through the engine, on a local repository: an identical
/// tree comes back, nothing is written outside the destination, existing files are kept without Force, the secret
/// never sits in the repository in the clear, and a damaged chunk is reported naming its file.
/// </summary>
public sealed class ConfigFilesTests : IDisposable
{
    private readonly ConfigSample _sample = new();
    private readonly TempRepository _folder = new();

    public void Dispose()
    {
        _folder.Dispose();
        _sample.Dispose();
    }

    private async Task<(BackupRepository Repository, Manifest Manifest)> BackupAsync(params string[] paths)
    {
        var repository = await _folder.CreateAsync();
        var outcomes = await BackupJob.RunAsync(new[] { repository }, new BackupJobRequest { ConfigPaths = paths }, null, NullBackupLog.Instance);
        return (repository, outcomes[0].Manifest!);
    }

    private static Task<ConfigRestoreOutcome> RestoreAsync(BackupRepository repository, Manifest manifest, string destination,
        bool force = false, params string[] paths)
        => ConfigRestore.RunAsync(repository, manifest, new ConfigRestoreRequest { Destination = destination, Force = force, Paths = paths },
            null, NullBackupLog.Instance);

    [Fact]
    public async Task A_restored_tree_is_identical_in_bytes_modes_times_and_links()
    {
        var (repository, manifest) = await BackupAsync(_sample.Docker, _sample.OtherDocker);
        using var _ = repository;
        var component = Assert.Single(manifest.Components);
        Assert.Equal("config", component.Type);
        Assert.Equal(_sample.Docker, component.Source["root:docker"]);
        Assert.Equal(_sample.OtherDocker, component.Source["root:docker-2"]); // same leaf name, no collision
        Assert.Equal("volumes/api/kong.yml", component.Files.Single(f => f.Name == "docker/kong-link.yml").Fs!.LinkTarget);
        Assert.Contains(component.Files, f => f.Name == "docker/volumes/db/init" && f.Fs!.IsDirectory);

        var destination = _sample.NewPath("restored");
        var outcome = await RestoreAsync(repository, manifest, destination);

        Assert.Equal(ConfigSample.Listing(_sample.Docker), ConfigSample.Listing(Path.Combine(destination, "docker")));
        Assert.Equal(ConfigSample.Listing(_sample.OtherDocker), ConfigSample.Listing(Path.Combine(destination, "docker-2")));
        Assert.Equal(new[] { "docker", "docker-2" }, Directory.GetFileSystemEntries(destination).Select(Path.GetFileName).Order());
        Assert.Equal(2, outcome.Symlinks);
        Assert.Equal(7, outcome.Files);
        Assert.Equal("volumes/api/kong.yml", new FileInfo(Path.Combine(destination, "docker/kong-link.yml")).LinkTarget);
    }

    [Fact]
    public async Task The_secret_in_the_env_file_is_nowhere_in_the_repository_in_plaintext()
    {
        var (repository, manifest) = await BackupAsync(_sample.Docker);
        using var _ = repository;
        // Positive control: the repository does hold it, readable through the key.
        using (var env = new MemoryStream())
        {
            await repository.ReadFileAsync(manifest.Components[0].Files.Single(f => f.Name == "docker/.env"), env);
            Assert.Contains(ConfigSample.Secret, Encoding.UTF8.GetString(env.ToArray()));
        }
        var secret = Encoding.UTF8.GetBytes("cfg-secret-5be1c0d27a9e4f3b");
        var files = Directory.GetFiles(_folder.Folder, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.Contains($"{Path.DirectorySeparatorChar}snapshots{Path.DirectorySeparatorChar}"));
        foreach (var file in files)
            Assert.False(File.ReadAllBytes(file).AsSpan().IndexOf(secret) >= 0, $"{file} holds the secret in the clear");
    }

    [Fact]
    public async Task Test_backup_covers_config_files_and_names_the_file_of_a_damaged_chunk()
    {
        var (repository, manifest) = await BackupAsync(_sample.Docker);
        using var _ = repository;
        foreach (var level in new[] { VerifyLevel.Quick, VerifyLevel.Full })
        {
            var check = Assert.Single(await repository.VerifyAsync(manifest, level));
            Assert.True(check.Success, string.Join("; ", check.Errors));
            Assert.Equal("config", check.Component);
            Assert.True(check.ChunksChecked >= 3);
        }

        var binary = manifest.Components[0].Files.Single(f => f.Name == "docker/certs/server.bin");
        var chunk = binary.Chunks[1];
        var path = _folder.PathOfChunk(chunk.Id);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var full = Assert.Single(await repository.VerifyAsync(manifest, VerifyLevel.Full));
        Assert.False(full.Success);
        Assert.Contains(full.Errors, e => e.Contains("docker/certs/server.bin") && e.Contains(chunk.Id));
        var restore = await Assert.ThrowsAsync<BackupToolsException>(() => RestoreAsync(repository, manifest, _sample.NewPath("damaged")));
        Assert.Equal(BackupErrorKind.Corrupt, restore.Kind);
    }

    [Fact]
    public async Task A_failed_restore_leaves_nothing_behind()
    {
        var (repository, manifest) = await BackupAsync(_sample.Docker);
        using var _ = repository;
        var binary = manifest.Components[0].Files.Single(f => f.Name == "docker/certs/server.bin");
        var missing = binary.Chunks[^1].Id;
        File.Delete(_folder.PathOfChunk(missing));
        var quick = Assert.Single(await repository.VerifyAsync(manifest, VerifyLevel.Quick));
        Assert.Contains(quick.Errors, e => e.Contains(missing) && e.Contains("docker/certs/server.bin"));
        var destination = _sample.NewPath("rollback");
        Directory.CreateDirectory(destination);

        await Assert.ThrowsAsync<BackupToolsException>(() => RestoreAsync(repository, manifest, destination));
        Assert.Empty(Directory.GetFileSystemEntries(destination)); // no temporary file, no folder, no link

        var created = Path.Combine(_sample.NewPath("new-parent"), "destination");
        await Assert.ThrowsAsync<BackupToolsException>(() => RestoreAsync(repository, manifest, created));
        Assert.False(Directory.Exists(Path.GetDirectoryName(created)), "the folders the failed restore created are removed");
    }

    public static TheoryData<string, string?, BackupErrorKind> CraftedEntries => new()
    {
        { "../escaped.txt", null, BackupErrorKind.Corrupt },
        { "docker/../../escaped.txt", null, BackupErrorKind.Corrupt },
        { "/tmp/bt-config-absolute-escape.txt", null, BackupErrorKind.Corrupt },
        { "docker/out-link", "../../outside", BackupErrorKind.PermissionDenied },
        { "docker/abs-link", "/etc", BackupErrorKind.PermissionDenied },
    };

    [Theory]
    [MemberData(nameof(CraftedEntries))]
    public async Task A_crafted_entry_that_would_land_outside_is_refused_and_nothing_is_written(string name, string? linkTarget, BackupErrorKind kind)
    {
        var (repository, manifest) = await BackupAsync(_sample.Docker);
        using var _ = repository;
        var env = manifest.Components[0].Files.Single(f => f.Name == "docker/.env");
        manifest.Components[0].Files.Add(linkTarget is null
            ? new FileEntry { Name = name, Size = env.Size, Sha256 = env.Sha256, Chunks = env.Chunks, Fs = env.Fs }
            : new FileEntry { Name = name, Fs = new FileSystemMetadata { Type = FileSystemMetadata.SymlinkType, LinkTarget = linkTarget } });
        var parent = _sample.NewPath("parent");
        var destination = Path.Combine(parent, "destination");
        Directory.CreateDirectory(destination);

        var e = await Assert.ThrowsAsync<BackupToolsException>(() => RestoreAsync(repository, manifest, destination, force: true));
        Assert.Equal(kind, e.Kind);
        Assert.Contains(name, e.Message);
        Assert.Equal(new[] { destination }, Directory.GetFileSystemEntries(parent));
        Assert.Empty(Directory.GetFileSystemEntries(destination));
        Assert.False(File.Exists("/tmp/bt-config-absolute-escape.txt"));
    }

    [Fact]
    public async Task A_folder_at_the_destination_that_is_a_link_to_outside_is_not_written_through()
    {
        var (repository, manifest) = await BackupAsync(_sample.Docker);
        using var _ = repository;
        var outside = _sample.NewPath("outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "victim.txt"), "keep me");
        var destination = _sample.NewPath("linked-destination");
        Directory.CreateDirectory(Path.Combine(destination, "docker"));
        File.CreateSymbolicLink(Path.Combine(destination, "docker", "volumes"), outside);
        var before = ConfigSample.Listing(outside);
        var destinationBefore = ConfigSample.Listing(destination);

        var e = await Assert.ThrowsAsync<BackupToolsException>(() => RestoreAsync(repository, manifest, destination, force: true));
        Assert.Equal(BackupErrorKind.PermissionDenied, e.Kind);
        Assert.Equal(Path.Combine(destination, "docker", "volumes"), e.Target);
        Assert.Equal(before, ConfigSample.Listing(outside));
        Assert.Equal(destinationBefore, ConfigSample.Listing(destination));
    }

    [Fact]
    public async Task Existing_files_are_kept_without_Force_and_replaced_with_it()
    {
        var (repository, manifest) = await BackupAsync(_sample.Docker);
        using var _ = repository;
        var destination = _sample.NewPath("existing");
        await RestoreAsync(repository, manifest, destination);
        var env = Path.Combine(destination, "docker", ".env");
        File.WriteAllText(env, "changed by hand");
        var compose = Path.Combine(destination, "docker", "docker-compose.yml");
        File.Delete(compose);

        var e = await Assert.ThrowsAsync<BackupToolsException>(() => RestoreAsync(repository, manifest, destination));
        Assert.Equal(BackupErrorKind.InvalidOperation, e.Kind);
        Assert.Contains(env, e.Message);
        Assert.Equal("changed by hand", File.ReadAllText(env));
        Assert.False(File.Exists(compose)); // all or nothing: the missing file did not come back either

        var forced = await RestoreAsync(repository, manifest, destination, force: true);
        Assert.Equal(ConfigSample.Listing(_sample.Docker), ConfigSample.Listing(Path.Combine(destination, "docker")));

        // The restore point holds the destination's "docker" root as it was: restoring it elsewhere gives the hand edit back.
        var restorePoint = await repository.LoadManifestAsync(Assert.IsType<string>(forced.RestorePointId));
        Assert.Equal(new[] { LogicalRestore.RestorePointTag }, restorePoint.Tags);
        var undone = _sample.NewPath("undone");
        var again = await RestoreAsync(repository, restorePoint, undone);
        Assert.Null(again.RestorePointId); // nothing replaced, nothing to keep
        Assert.Equal("changed by hand", File.ReadAllText(Path.Combine(undone, "docker", ".env")));
        Assert.False(File.Exists(Path.Combine(undone, "docker", "docker-compose.yml")));
    }

    [Fact]
    public async Task With_Force_a_link_in_a_files_place_is_replaced_not_followed()
    {
        var (repository, manifest) = await BackupAsync(_sample.Docker);
        using var _ = repository;
        var outside = _sample.NewPath("victim");
        File.WriteAllText(outside, "keep me");
        var destination = _sample.NewPath("link-in-place");
        await RestoreAsync(repository, manifest, destination);
        var env = Path.Combine(destination, "docker", ".env");
        File.Delete(env);
        File.CreateSymbolicLink(env, outside);

        await RestoreAsync(repository, manifest, destination, force: true);
        Assert.Equal("keep me", File.ReadAllText(outside));
        Assert.Null(new FileInfo(env).LinkTarget);
        Assert.Contains(ConfigSample.Secret, File.ReadAllText(env));
    }

    [Fact]
    public async Task Path_selects_an_entry_with_what_is_below_it_and_the_folders_above_it()
    {
        var (repository, manifest) = await BackupAsync(_sample.Docker);
        using var _ = repository;
        var destination = _sample.NewPath("selected");
        await RestoreAsync(repository, manifest, destination, false, "docker/volumes/api");

        Assert.Equal(new[] { "docker", "docker/volumes", "docker/volumes/api", "docker/volumes/api/kong.yml" },
            Directory.GetFileSystemEntries(destination, "*", SearchOption.AllDirectories)
                .Select(p => Path.GetRelativePath(destination, p).Replace('\\', '/')).Order(StringComparer.Ordinal));
        var e = await Assert.ThrowsAsync<BackupToolsException>(() => RestoreAsync(repository, manifest, _sample.NewPath("none"), false, "docker/nope"));
        Assert.Equal(BackupErrorKind.NotFound, e.Kind);
        Assert.Contains("docker/nope", e.Message);
    }

    [Fact]
    public async Task A_named_pipe_and_a_socket_are_left_out_with_a_warning_instead_of_blocking_the_backup()
    {
        var pipe = Path.Combine(_sample.Docker, "volumes", "control.fifo");
        using (var mkfifo = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("mkfifo") { ArgumentList = { pipe } })!)
            await mkfifo.WaitForExitAsync();
        Assert.True(File.Exists(pipe));
        var socketPath = Path.Combine(_sample.Docker, "volumes", "admin.sock");
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));

        // Opening the pipe for reading would wait for a writer forever: the backup must finish on its own.
        var (repository, manifest) = await BackupAsync(_sample.Docker).WaitAsync(TimeSpan.FromMinutes(1));
        using var _ = repository;
        var component = Assert.Single(manifest.Components);
        Assert.DoesNotContain(component.Files, f => f.Name.EndsWith("control.fifo", StringComparison.Ordinal) || f.Name.EndsWith("admin.sock", StringComparison.Ordinal));
        Assert.Contains(component.Warnings!, w => w.Contains(pipe, StringComparison.Ordinal) && w.Contains("named pipe", StringComparison.Ordinal));
        Assert.Contains(component.Warnings!, w => w.Contains(socketPath, StringComparison.Ordinal) && w.Contains("socket", StringComparison.Ordinal));
        Assert.Contains(component.Files, f => f.Name == "docker/volumes/api/kong.yml" && f.Size > 0);
    }

    [Fact]
    public async Task A_missing_path_fails_the_backup_naming_it_and_writes_no_manifest()
    {
        var missing = Path.Combine(_sample.Folder, "no-such-folder");
        using var repository = await _folder.CreateAsync();
        var e = await Assert.ThrowsAsync<BackupToolsException>(() => BackupJob.RunAsync(new[] { repository },
            new BackupJobRequest { ConfigPaths = new[] { _sample.Docker, missing } }, null, NullBackupLog.Instance));
        Assert.Equal(BackupErrorKind.NotFound, e.Kind);
        Assert.Equal(missing, e.Target);
        Assert.Contains(missing, e.Message);
        Assert.Empty(await repository.ListManifestsAsync());
    }
}

/// <summary>Roots that are single files or links, and one backup written to two repositories.</summary>
public sealed class ConfigRootsTests : IDisposable
{
    private readonly ConfigSample _sample = new();
    private readonly TempRepository _first = new();
    private readonly TempRepository _second = new();

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
        _sample.Dispose();
    }

    [Fact]
    public async Task A_file_a_folder_and_a_link_given_as_paths_come_back_as_roots_in_every_repository()
    {
        using var first = await _first.CreateAsync();
        using var second = await _second.CreateAsync();
        var paths = new[]
        {
            Path.Combine(_sample.Docker, ".env"),
            Path.Combine(_sample.Docker, "volumes", "api"),
            Path.Combine(_sample.Docker, "kong-link.yml"), // a link given literally is recorded as that link
        };
        var outcomes = await BackupJob.RunAsync(new[] { first, second }, new BackupJobRequest { ConfigPaths = paths }, null, NullBackupLog.Instance);

        Assert.All(outcomes, o => Assert.True(o.Success));
        var names = outcomes.Select(o => o.Manifest!.Components.Single().Files.Select(f => $"{f.Name} {f.Fs!.Type}").ToList()).ToList();
        Assert.Equal(new[] { ".env file", "api directory", "api/kong.yml file", "kong-link.yml symlink" }, names[0]);
        Assert.Equal(names[0], names[1]);

        var destination = _sample.NewPath("roots");
        await ConfigRestore.RunAsync(second, outcomes[1].Manifest!, new ConfigRestoreRequest { Destination = destination }, null, NullBackupLog.Instance);
        Assert.Equal(File.ReadAllBytes(paths[0]), File.ReadAllBytes(Path.Combine(destination, ".env")));
        Assert.Equal(ConfigSample.Listing(paths[1]), ConfigSample.Listing(Path.Combine(destination, "api")));
        // Restored verbatim: inside the destination it dangles, but it points nowhere outside.
        Assert.Equal("volumes/api/kong.yml", new FileInfo(Path.Combine(destination, "kong-link.yml")).LinkTarget);
    }
}
