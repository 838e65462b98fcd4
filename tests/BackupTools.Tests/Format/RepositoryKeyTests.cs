using System.Text.Json;
using BackupTools.Core;
using BackupTools.Core.Repository;
using Xunit;

namespace BackupTools.Tests.Format;

public class RepositoryKeyTests
{
    [Fact]
    public async Task Create_then_open_gives_the_same_repository()
    {
        using var temp = new TempRepository();
        using var created = await temp.CreateAsync();
        using var opened = await temp.OpenAsync();

        Assert.Equal(created.Id, opened.Id);
        Assert.Matches("^[0-9a-f]{32}$", opened.Id);
        using var config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(temp.Folder, "config.json")));
        Assert.Equal(1, config.RootElement.GetProperty("version").GetInt32());
        Assert.Equal("fastcdc", config.RootElement.GetProperty("chunker").GetProperty("algorithm").GetString());
        Assert.Single(Directory.GetFiles(Path.Combine(temp.Folder, "keys")));
    }

    [Fact]
    public async Task Wrong_passphrase_is_AuthenticationFailed_naming_the_location()
    {
        using var temp = new TempRepository();
        (await temp.CreateAsync()).Dispose();

        var e = await Assert.ThrowsAsync<BackupToolsException>(() => temp.OpenAsync("wrong"));
        Assert.Equal(BackupErrorKind.AuthenticationFailed, e.Kind);
        Assert.Equal($"The passphrase does not unlock repository {temp.Folder}.", e.Message);
        Assert.DoesNotContain("wrong", e.Message);
    }

    [Fact]
    public async Task No_repository_is_NotFound_and_a_second_create_is_InvalidOperation()
    {
        using var temp = new TempRepository();
        var missing = await Assert.ThrowsAsync<BackupToolsException>(() => temp.OpenAsync());
        Assert.Equal(BackupErrorKind.NotFound, missing.Kind);
        Assert.Contains(temp.Folder, missing.Message);

        (await temp.CreateAsync()).Dispose();
        var again = await Assert.ThrowsAsync<BackupToolsException>(() => temp.CreateAsync());
        Assert.Equal(BackupErrorKind.InvalidOperation, again.Kind);
    }

    [Fact]
    public async Task An_added_key_opens_the_repository_and_the_old_one_still_does()
    {
        using var temp = new TempRepository();
        using (var repository = await temp.CreateAsync())
        {
            var keyId = await repository.AddKeyAsync("second passphrase", 1024, 1, 1);
            Assert.True(File.Exists(Path.Combine(temp.Folder, "keys", keyId)));
        }
        using var bySecond = await temp.OpenAsync("second passphrase");
        using var byFirst = await temp.OpenAsync();
        Assert.Equal(byFirst.Id, bySecond.Id);
    }

    [Fact]
    public async Task A_newer_format_version_is_refused()
    {
        using var temp = new TempRepository();
        (await temp.CreateAsync()).Dispose();
        var path = Path.Combine(temp.Folder, "config.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"version\": 1", "\"version\": 2"));

        var e = await Assert.ThrowsAsync<BackupToolsException>(() => temp.OpenAsync());
        Assert.Equal(BackupErrorKind.InvalidOperation, e.Kind);
        Assert.Contains("version 2", e.Message);
    }

    [Fact]
    public async Task A_key_file_renamed_over_another_does_not_open()
    {
        using var temp = new TempRepository();
        (await temp.CreateAsync()).Dispose();
        var key = Directory.GetFiles(Path.Combine(temp.Folder, "keys")).Single();
        File.Move(key, Path.Combine(temp.Folder, "keys", new string('0', 32)));

        var e = await Assert.ThrowsAsync<BackupToolsException>(() => temp.OpenAsync());
        Assert.Equal(BackupErrorKind.AuthenticationFailed, e.Kind);
    }
}
