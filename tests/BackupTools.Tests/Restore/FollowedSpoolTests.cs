using BackupTools.Core;
using BackupTools.Core.Operations;
using Xunit;

namespace BackupTools.Tests.Restore;

public class FollowedSpoolTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"bt-spool-test-{Guid.NewGuid():N}");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public async Task A_follower_gets_every_byte_while_the_file_grows_and_stops_at_the_end()
    {
        var data = new byte[3_000_000];
        new Random(7).NextBytes(data);
        using var spool = FollowedSpool.Create(_path);
        using var copy = new MemoryStream();
        var follower = spool.FollowAsync(copy, CancellationToken.None);
        for (var at = 0; at < data.Length; at += 250_000)
        {
            await spool.WriteAsync(data.AsMemory(at, Math.Min(250_000, data.Length - at)));
            await Task.Delay(5);
        }
        Assert.False(follower.IsCompleted);
        spool.Complete(null);
        await follower.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(data, copy.ToArray());
    }

    [Fact]
    public async Task A_failed_write_ends_every_follower_and_waiter_with_that_failure()
    {
        using var spool = FollowedSpool.Create(_path);
        await spool.WriteAsync(new byte[100]);
        var follower = spool.FollowAsync(Stream.Null, CancellationToken.None);
        var waiter = spool.WaitForAsync(1_000, CancellationToken.None);
        spool.Complete(new BackupToolsException(BackupErrorKind.Corrupt, "chunk x fails authentication"));
        Assert.Equal(BackupErrorKind.Corrupt, (await Assert.ThrowsAsync<BackupToolsException>(() => follower.WaitAsync(TimeSpan.FromSeconds(30)))).Kind);
        Assert.Equal(BackupErrorKind.Corrupt, (await Assert.ThrowsAsync<BackupToolsException>(() => waiter.WaitAsync(TimeSpan.FromSeconds(30)))).Kind);
    }

    [Fact]
    public async Task The_spool_is_readable_by_its_owner_only()
    {
        if (OperatingSystem.IsWindows()) return;
        using var spool = FollowedSpool.Create(_path);
        await spool.WriteAsync(new byte[1]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_path));
    }
}
