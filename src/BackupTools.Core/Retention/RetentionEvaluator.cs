using System.Globalization;

namespace BackupTools.Core.Retention;

/// <summary>
/// Applies a <see cref="RetentionPolicy"/> to a list of backups: a pure function, no repository, no clock.
/// The rules, each keeping a backup on its own (the reasons are the union):
/// <list type="bullet">
/// <item>Last: the KeepLast newest selected backups.</item>
/// <item>Within: selected backups no older than KeepWithin before the newest selected backup.</item>
/// <item>Hourly/Daily/Weekly/Monthly/Yearly: walking from the newest, the first (newest) backup of each new calendar
/// bucket in the policy's time zone, for the N newest buckets that have a backup (weeks are ISO 8601 weeks).</item>
/// <item>NewestVerified: the newest backup (selected or not) whose latest verification passed.</item>
/// <item>PitrWindow: with KeepWithin, the newest physical backup taken at or before the window start (newest backup
/// minus KeepWithin), because replaying WAL to any time in the window starts from a base backup older than it.</item>
/// <item>NotSelected: with a tag filter, backups without any of the tags are outside the policy and kept.</item>
/// </list>
/// </summary>
public static class RetentionEvaluator
{
    /// <summary>One decision per backup, oldest first. InvalidArgument when the policy is empty or negative.</summary>
    public static IReadOnlyList<RetentionDecision> Evaluate(IEnumerable<RetentionCandidate> backups, RetentionPolicy policy)
    {
        policy.Validate();
        var newestFirst = backups.OrderByDescending(b => b.Time).ThenByDescending(b => b.Id, StringComparer.Ordinal).ToList();
        var reasons = newestFirst.Select(_ => new List<RetentionRule>()).ToArray();
        var selected = new List<int>();
        for (var i = 0; i < newestFirst.Count; i++)
        {
            if (IsSelected(newestFirst[i], policy)) selected.Add(i);
            else reasons[i].Add(RetentionRule.NotSelected);
        }

        foreach (var i in selected.Take(policy.KeepLast)) reasons[i].Add(RetentionRule.Last);
        if (policy.KeepWithin is { } within && selected.Count > 0)
        {
            var windowStart = newestFirst[selected[0]].Time - within;
            foreach (var i in selected.Where(i => newestFirst[i].Time >= windowStart)) reasons[i].Add(RetentionRule.Within);
            var pitrBase = selected.Where(i => newestFirst[i].IsPhysical && newestFirst[i].Time <= windowStart).Take(1);
            foreach (var i in pitrBase) reasons[i].Add(RetentionRule.PitrWindow);
        }
        foreach (var (rule, count, bucketOf) in CalendarRules(policy))
        {
            long? lastBucket = null;
            var kept = 0;
            foreach (var i in selected)
            {
                if (kept == count) break;
                var bucket = bucketOf(TimeZoneInfo.ConvertTime(newestFirst[i].Time, policy.TimeZone).DateTime);
                if (bucket == lastBucket) continue;
                lastBucket = bucket;
                reasons[i].Add(rule);
                kept++;
            }
        }
        var newestVerified = newestFirst.FindIndex(b => b.Verified);
        if (newestVerified >= 0) reasons[newestVerified].Add(RetentionRule.NewestVerified);

        return newestFirst.Select((b, i) => new RetentionDecision(b, reasons[i].Count > 0 ? RetentionAction.Keep : RetentionAction.Remove, reasons[i]))
            .Reverse().ToList();
    }

    private static bool IsSelected(RetentionCandidate backup, RetentionPolicy policy)
        => policy.Tags.Count == 0 || backup.Tags.Any(t => policy.Tags.Contains(t, StringComparer.OrdinalIgnoreCase));

    /// <summary>The calendar rules in use, each with its count and the bucket a local time falls in.</summary>
    private static IEnumerable<(RetentionRule Rule, int Count, Func<DateTime, long> BucketOf)> CalendarRules(RetentionPolicy policy)
    {
        var rules = new (RetentionRule, int, Func<DateTime, long>)[]
        {
            (RetentionRule.Hourly, policy.KeepHourly, t => t.Date.Ticks + t.Hour),
            (RetentionRule.Daily, policy.KeepDaily, t => t.Date.Ticks),
            (RetentionRule.Weekly, policy.KeepWeekly, t => ISOWeek.GetYear(t) * 100L + ISOWeek.GetWeekOfYear(t)),
            (RetentionRule.Monthly, policy.KeepMonthly, t => t.Year * 100L + t.Month),
            (RetentionRule.Yearly, policy.KeepYearly, t => t.Year),
        };
        return rules.Where(r => r.Item2 > 0);
    }
}
