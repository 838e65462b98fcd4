using BackupTools.Core.Repository;
using Xunit;

namespace BackupTools.Tests.Format;

/// <summary>FindLatestManifestAsync: the newest match, found by opening the newest manifests only.</summary>
public class LatestManifestTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A manifest whose id says <paramref name="idTime"/> and whose start time is <paramref name="start"/>.</summary>
    private static Manifest At(DateTimeOffset idTime, string tag, DateTimeOffset? start = null, string? id = null) => new()
    {
        Id = id ?? Manifest.NewId(idTime),
        Tags = { tag },
        StartTime = start ?? idTime,
    };

    private static async Task<(TempRepository Temp, BackupRepository Repository)> WithAsync(params Manifest[] manifests)
    {
        var temp = new TempRepository();
        var repository = await temp.CreateAsync();
        foreach (var manifest in manifests) await repository.SaveManifestAsync(manifest);
        return (temp, repository);
    }

    [Fact]
    public void The_time_of_an_id_is_its_start_second_and_other_ids_have_none()
    {
        Assert.Equal(Noon, Manifest.TimeOfId(Manifest.NewId(Noon.AddMilliseconds(999))));
        Assert.Null(Manifest.TimeOfId("b1"));
        Assert.Null(Manifest.TimeOfId("20261325T120000Z-abcdef")); // month 13
        Assert.Null(Manifest.TimeOfId("nightly-20261125"));
    }

    [Fact]
    public async Task The_newest_match_is_returned_passing_over_newer_backups_that_do_not_match()
    {
        var (temp, repository) = await WithAsync(At(Noon.AddHours(-2), "db"), At(Noon.AddHours(-1), "db"), At(Noon, "files"));
        using (temp)
        using (repository)
        {
            Assert.Equal(Noon.AddHours(-1), (await repository.FindLatestManifestAsync(m => m.Tags.Contains("db")))!.StartTime);
            Assert.Equal(Noon, (await repository.FindLatestManifestAsync(null))!.StartTime);
            Assert.Null(await repository.FindLatestManifestAsync(m => m.Tags.Contains("none")));
        }
    }

    [Fact]
    public async Task Manifests_more_than_a_minute_older_than_the_match_are_not_opened()
    {
        // An (inconsistent) manifest whose id is two hours older than its start time: opening every manifest would
        // return it, so getting the newer one proves the search stopped before it.
        var stale = At(Noon.AddHours(-2), "old-id", start: Noon.AddHours(1));
        var (temp, repository) = await WithAsync(stale, At(Noon, "newest-id"));
        using (temp)
        using (repository)
        {
            Assert.Equal("newest-id", Assert.Single((await repository.FindLatestManifestAsync(null))!.Tags));
            Assert.Equal(stale.Id, (await repository.ListManifestsAsync()).MaxBy(m => m.StartTime)!.Id);
        }
    }

    [Fact]
    public async Task Within_the_minute_the_latest_start_time_wins_over_the_highest_id()
    {
        // The id is taken just before the start time, so the two may straddle a second: the later start must win.
        var (temp, repository) = await WithAsync(At(Noon.AddSeconds(-30), "later-start", start: Noon.AddSeconds(5)), At(Noon, "higher-id"));
        using (temp)
        using (repository)
        {
            Assert.Equal("later-start", Assert.Single((await repository.FindLatestManifestAsync(null))!.Tags));
        }
    }

    [Fact]
    public async Task Ids_without_a_time_make_it_open_every_manifest()
    {
        var (temp, repository) = await WithAsync(At(Noon, "late", id: "a-late"), At(Noon.AddDays(-1), "early", id: "z-early"), At(Noon.AddDays(-2), "timed"));
        using (temp)
        using (repository)
        {
            Assert.Equal("late", Assert.Single((await repository.FindLatestManifestAsync(null))!.Tags));
        }
    }

    [Fact]
    public async Task A_damaged_newest_manifest_is_passed_over()
    {
        var damaged = At(Noon, "damaged");
        var (temp, repository) = await WithAsync(At(Noon.AddHours(-1), "good"), damaged);
        using (temp)
        using (repository)
        {
            var path = Path.Combine(temp.Folder, "snapshots", damaged.Id);
            var bytes = await File.ReadAllBytesAsync(path);
            bytes[^1] ^= 0x80;
            await File.WriteAllBytesAsync(path, bytes);
            Assert.Equal("good", Assert.Single((await repository.FindLatestManifestAsync(null))!.Tags));
        }
    }
}
