using BackupTools.Core;
using BackupTools.Core.Postgres;
using Xunit;

namespace BackupTools.Tests.Postgres;

public class PgToolsTests
{
    [Fact]
    public async Task Finds_pg_dump_15_for_a_15_server()
    {
        var tool = await PgTools.FindAsync("pg_dump", 15, "/usr/lib/postgresql/15/bin");

        Assert.Equal(15, tool.MajorVersion);
        Assert.Equal("/usr/lib/postgresql/15/bin/pg_dump", tool.Path);
        Assert.StartsWith("15.", tool.Version);
    }

    [Fact]
    public async Task Finds_a_tool_on_the_usual_folders_when_no_directory_is_given()
    {
        var tool = await PgTools.FindAsync("pg_restore", 13, null);

        Assert.True(tool.MajorVersion >= 13);
        Assert.True(File.Exists(tool.Path));
    }

    [Fact]
    public async Task A_newer_server_than_any_tool_is_NotFound_naming_the_version_needed()
    {
        var e = await Assert.ThrowsAsync<BackupToolsException>(() => PgTools.FindAsync("pg_dump", 99, "/usr/lib/postgresql/15/bin"));

        Assert.Equal(BackupErrorKind.NotFound, e.Kind);
        Assert.Contains("pg_dump 99 or newer is needed for server 99.x", e.Message);
        Assert.Contains("15 (/usr/lib/postgresql/15/bin/pg_dump)", e.Message);
        Assert.Contains("postgresql-client-99", e.Message);
    }
}
