using BackupTools.Core;
using BackupTools.Core.Sources.ConfigFiles;
using Xunit;

namespace BackupTools.Tests.ConfigFiles;

/// <summary>The pure name and link rules that keep a configuration restore inside its destination.</summary>
public sealed class ConfigPathRulesTests
{
    [Theory]
    [InlineData("api/kong.yml", new[] { "api", "kong.yml" })]
    [InlineData("docker/.env", new[] { "docker", ".env" })]
    [InlineData("a/..b/c..", new[] { "a", "..b", "c.." })]
    public void Safe_names_split_into_their_segments(string name, string[] expected)
        => Assert.Equal(expected, ConfigPathRules.SplitEntryName(name));

    [Theory]
    [InlineData("../x")]
    [InlineData("root/../../x")]
    [InlineData("root/..")]
    [InlineData("/etc/passwd")]
    [InlineData("\\etc\\passwd")]
    [InlineData("")]
    [InlineData("root//x")]
    [InlineData("./x")]
    [InlineData("root/x\0y")]
    public void Names_that_could_leave_the_destination_are_refused_naming_them(string name)
    {
        var e = Assert.Throws<BackupToolsException>(() => ConfigPathRules.SplitEntryName(name));
        Assert.Equal(BackupErrorKind.Corrupt, e.Kind);
        Assert.Equal(name, e.Target);
        Assert.Contains($"'{name}'", e.Message);
    }

    [Theory]
    [InlineData("root/link", "file.txt")]
    [InlineData("root/link", "./sub/file.txt")]
    [InlineData("root/link", "..")]                // the destination itself
    [InlineData("root/sub/link", "../other/file")]
    [InlineData("root/sub/link", "../../root")]
    [InlineData("root/sub/link", ".")]
    public void Links_that_resolve_inside_are_accepted(string link, string target)
        => Assert.True(ConfigPathRules.LinkStaysInside(link, target));

    [Theory]
    [InlineData("root/link", "/etc/passwd")]
    [InlineData("root/link", "../..")]
    [InlineData("root/sub/link", "../../../x")]
    [InlineData("root/link", "sub/../../..")]      // ".." after a name: a name may be a link itself
    [InlineData("root/link", "sub/..")]
    [InlineData("link", "../x")]
    [InlineData("root/link", "")]
    public void Links_that_point_out_or_cannot_be_checked_are_refused(string link, string target)
        => Assert.False(ConfigPathRules.LinkStaysInside(link, target));
}
