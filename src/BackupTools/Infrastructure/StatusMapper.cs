using BackupTools.Core.Reports;

namespace BackupTools.Infrastructure;

/// <summary>Turns engine <see cref="RepositoryStatus"/> values into the <see cref="BackupStatus"/> rows users see.</summary>
internal static class StatusMapper
{
    /// <summary>One row per source, plus a "repository" row when the repository has problems of its own.</summary>
    public static IEnumerable<BackupStatus> ToRows(RepositoryStatus repository)
    {
        if (repository.Reasons.Count > 0)
        {
            yield return new BackupStatus
            {
                Repository = repository.Name,
                Location = repository.Location,
                Type = "repository",
                Source = repository.Location,
                State = (BackupHealth)repository.OwnState,
                Reasons = repository.Reasons.ToArray(),
                RpoTarget = repository.RpoTarget,
            };
        }
        foreach (var source in repository.Sources) yield return ToRow(repository, source);
    }

    private static BackupStatus ToRow(RepositoryStatus repository, SourceStatus source) => new()
    {
        Repository = repository.Name,
        Location = repository.Location,
        Type = source.Source.Type,
        Source = source.Source.Identity,
        State = (BackupHealth)source.State,
        Reasons = source.Reasons.ToArray(),
        LastBackupId = source.LastSuccess.BackupId,
        LastBackupTime = source.LastSuccess.StartTime,
        Age = source.Age,
        RpoTarget = repository.RpoTarget,
        Size = source.LastSuccess.Size,
        Duration = source.LastSuccess.Duration,
        BackupCount = source.BackupCount,
        SizeTrend = source.Trend.Select(p => p.Size).ToArray(),
        DurationTrend = source.Trend.Select(p => Math.Round(p.Duration.TotalSeconds, 3)).ToArray(),
        LastVerificationLevel = source.LastVerification?.Level,
        LastVerificationSuccess = source.LastVerification?.Success,
        LastVerificationTime = source.LastVerification?.Time,
        LastDrillTime = source.LastDrill?.Time,
        LastDrillSuccess = source.LastDrill?.Success,
        LastDrillDuration = source.LastDrill?.Duration,
        PitrWindowStart = source.PitrWindow?.From,
        PitrWindowEnd = source.PitrWindow?.To,
        NextScheduledRun = source.NextScheduledRun,
    };
}
