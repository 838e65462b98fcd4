using BackupTools.Core;
using BackupTools.Core.Repository;
using BackupTools.Tests.Format;
using Xunit;

namespace BackupTools.Tests.Reports;

public class VerificationRecordTests
{
    [Fact]
    public async Task Verifications_are_kept_in_the_stored_manifest_newest_fifty()
    {
        using var temp = new TempRepository();
        using var repository = await temp.CreateAsync();
        var manifest = ReportFixtures.Backup(TimeSpan.FromHours(1));
        await repository.SaveManifestAsync(manifest);

        for (var i = 0; i < BackupRepository.MaxVerificationRecords + 2; i++)
        {
            await repository.RecordVerificationAsync(manifest.Id, new VerificationRecord
            {
                Time = ReportFixtures.Now.AddMinutes(i), Level = "Quick", Success = i % 2 == 0,
            });
        }
        var stored = await repository.LoadManifestAsync(manifest.Id);
        Assert.Equal(BackupRepository.MaxVerificationRecords, stored.Verifications.Count);
        Assert.Equal(ReportFixtures.Now.AddMinutes(BackupRepository.MaxVerificationRecords + 1), stored.Verifications[^1].Time);
        Assert.Equal(ReportFixtures.Now.AddMinutes(2), stored.Verifications[0].Time);
        Assert.Empty(temp.Store.ListAsync("locks/").ToBlockingEnumerable());
    }

    [Fact]
    public async Task Recording_for_an_unknown_backup_is_not_found()
    {
        using var temp = new TempRepository();
        using var repository = await temp.CreateAsync();
        var e = await Assert.ThrowsAsync<BackupToolsException>(() => repository.RecordVerificationAsync("20261125T000000Z-000000", new VerificationRecord()));
        Assert.Equal(BackupErrorKind.NotFound, e.Kind);
    }
}
