using BackupTools.Core.Schedules;

namespace BackupTools.Core.Reports;

/// <summary>The scheduled jobs that write to a repository, as the status sees them (next run, last run and result).</summary>
public static class ScheduleStatusSource
{
    /// <summary>
    /// The jobs of <paramref name="schedule"/> (the default schedule file when null) whose repositories include
    /// <paramref name="repository"/> (as registered or given); none when there is no schedule file.
    /// </summary>
    public static IReadOnlyList<ScheduleStatus> ForRepository(string repository, ScheduleFile? schedule = null)
    {
        schedule ??= ScheduleFile.Open();
        if (!File.Exists(schedule.FilePath)) return Array.Empty<ScheduleStatus>();
        var states = schedule.LoadState();
        return schedule.LoadJobs()
            .Where(j => j.Enabled && j.Repositories.Contains(repository, StringComparer.OrdinalIgnoreCase))
            .Select(j =>
            {
                var state = states.GetValueOrDefault(j.Name);
                return new ScheduleStatus(j.Name, CronSchedule.NextRun(j, state), state?.LastRun,
                    state?.LastResult is { } result ? result == ScheduleRunResult.Succeeded : null);
            })
            .ToList();
    }
}
