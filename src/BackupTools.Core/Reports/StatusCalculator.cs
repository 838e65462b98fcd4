using System.Globalization;
using BackupTools.Core.Repository;

namespace BackupTools.Core.Reports;

/// <summary>What the status of one repository is computed from; everything read beforehand (no I/O here).</summary>
public sealed record StatusInput
{
    /// <summary>The repository as the user named it.</summary>
    public required string Name { get; init; }
    /// <summary>Where it is (no credentials).</summary>
    public required string Location { get; init; }
    /// <summary>Every manifest that opened.</summary>
    public required IReadOnlyList<Manifest> Manifests { get; init; }
    /// <summary>Ids of manifests that did not open.</summary>
    public IReadOnlyList<string> UnreadableBackups { get; init; } = Array.Empty<string>();
    /// <summary>Point-in-time recovery windows by source (the PITR hook; none without physical backups and WAL).</summary>
    public IReadOnlyDictionary<SourceKey, PitrWindow> PitrWindows { get; init; } = new Dictionary<SourceKey, PitrWindow>();
    /// <summary>Scheduled jobs writing to the repository (the schedules hook; empty when none).</summary>
    public IReadOnlyList<ScheduleStatus> Schedules { get; init; } = Array.Empty<ScheduleStatus>();
}

/// <summary>
/// Judges a repository's backups against a <see cref="StatusPolicy"/> at a given moment. A pure function of its
/// input and the clock value passed in, so the rules are unit-tested without a repository or a real clock.
/// </summary>
public static class StatusCalculator
{
    /// <summary>The verification level that marks a restore drill.</summary>
    public const string DrillLevel = "Restore";

    /// <summary>The status of one repository at <paramref name="now"/>.</summary>
    public static RepositoryStatus Compute(StatusInput input, StatusPolicy policy, DateTimeOffset now)
    {
        policy.Validate();
        var manifests = input.Manifests.OrderBy(m => m.StartTime).ThenBy(m => m.Id, StringComparer.Ordinal).ToList();
        var sources = manifests
            .SelectMany(m => m.Components.Select(c => (Key: SourceKey.Of(c), Manifest: m, Component: c)))
            .GroupBy(x => x.Key)
            .Select(g => Judge(g.Key, g.Select(x => (x.Manifest, x.Component)).ToList(), input, policy, now))
            .OrderBy(s => s.Source.Type, StringComparer.Ordinal).ThenBy(s => s.Source.Identity, StringComparer.Ordinal)
            .ToList();

        var reasons = new List<(HealthState State, string Reason)>();
        if (manifests.Count == 0) reasons.Add((HealthState.Critical, "no backups in the repository"));
        if (input.UnreadableBackups.Count > 0)
            reasons.Add((HealthState.Warning, $"{input.UnreadableBackups.Count} backup manifest(s) do not open: {string.Join(", ", input.UnreadableBackups)}"));
        foreach (var failed in input.Schedules.Where(s => s.LastRunSucceeded == false))
            reasons.Add((HealthState.Critical, $"the last run of schedule '{failed.Name}' failed"));

        var ownState = reasons.Select(r => r.State).DefaultIfEmpty(HealthState.Healthy).Max();
        var state = sources.Select(s => s.State).Append(ownState).Max();
        return new RepositoryStatus
        {
            Name = input.Name,
            Location = input.Location,
            State = state,
            Reasons = reasons.Select(r => r.Reason).ToList(),
            OwnState = ownState,
            RpoTarget = policy.RpoTarget,
            Sources = sources,
            Backups = manifests.Select(ToRow).ToList(),
            Verifications = manifests.SelectMany(Verifications).OrderBy(v => v.Time).ToList(),
            UnreadableBackups = input.UnreadableBackups,
            Schedules = input.Schedules,
        };
    }

    /// <summary>A repository that could not be read: Critical, with <paramref name="problem"/> as the reason.</summary>
    public static RepositoryStatus Unavailable(string name, string location, string problem, StatusPolicy policy) => new()
    {
        Name = name,
        Location = location,
        State = HealthState.Critical,
        Reasons = new[] { "the repository cannot be read: " + problem },
        OwnState = HealthState.Critical,
        RpoTarget = policy.RpoTarget,
        Sources = Array.Empty<SourceStatus>(),
        Backups = Array.Empty<BackupRow>(),
        Verifications = Array.Empty<VerificationSummary>(),
        UnreadableBackups = Array.Empty<string>(),
        Schedules = Array.Empty<ScheduleStatus>(),
    };

    private static SourceStatus Judge(SourceKey key, List<(Manifest Manifest, ComponentEntry Component)> backups,
        StatusInput input, StatusPolicy policy, DateTimeOffset now)
    {
        var points = backups.Select(b => ToPoint(b.Manifest, b.Component)).ToList();
        var last = points[^1];
        var age = now > last.StartTime ? now - last.StartTime : TimeSpan.Zero;
        var verifications = backups.SelectMany(b => Verifications(b.Manifest)).OrderBy(v => v.Time).ToList();
        var lastVerification = verifications.LastOrDefault();

        var reasons = new List<(HealthState State, string Reason)>();
        if (age > policy.RpoTarget)
            reasons.Add((HealthState.Critical, $"last backup {Describe(age)} ago, older than the RPO target {Describe(policy.RpoTarget)}"));
        else if (age > policy.RpoTarget * policy.WarningFraction)
            reasons.Add((HealthState.Warning, $"last backup {Describe(age)} ago, near the RPO target {Describe(policy.RpoTarget)}"));
        if (lastVerification is { Success: false })
            reasons.Add((HealthState.Critical, $"the last verification ({lastVerification.Level}, backup {lastVerification.BackupId}) failed"));
        else if (!verifications.Any(v => v.Success && now - v.Time <= policy.VerificationMaxAge))
            reasons.Add((HealthState.Warning, lastVerification is null
                ? "never verified"
                : $"not verified in the last {Describe(policy.VerificationMaxAge)}"));
        if (last.Warnings.Count > 0)
            reasons.Add((HealthState.Warning, $"the last backup recorded {last.Warnings.Count} warning(s): {last.Warnings[0]}"));

        return new SourceStatus
        {
            Source = key,
            State = reasons.Select(r => r.State).DefaultIfEmpty(HealthState.Healthy).Max(),
            Reasons = reasons.Select(r => r.Reason).ToList(),
            LastSuccess = last,
            Age = age,
            BackupCount = points.Count,
            Trend = points.TakeLast(policy.TrendLength).ToList(),
            LastVerification = lastVerification,
            LastDrill = verifications.LastOrDefault(v => v.Level == DrillLevel),
            PitrWindow = input.PitrWindows.GetValueOrDefault(key),
            NextScheduledRun = input.Schedules
                .Where(s => s.NextRun is not null && (s.Source is null || s.Source == key))
                .Select(s => s.NextRun).Min(),
        };
    }

    private static BackupPoint ToPoint(Manifest manifest, ComponentEntry component) => new(
        manifest.Id, manifest.Kind, manifest.StartTime, manifest.EndTime, DurationOf(manifest),
        component.Files.Sum(f => f.Size), manifest.Stats.BytesAdded, manifest.Tags, component.Warnings ?? new List<string>());

    private static BackupRow ToRow(Manifest manifest) => new(
        manifest.Id, manifest.Kind, manifest.StartTime, DurationOf(manifest), manifest.Stats.BytesRead, manifest.Stats.BytesAdded,
        manifest.Components.OrderBy(c => c.Order).Select(c => SourceKey.Of(c).ToString()).ToList(), manifest.Tags,
        Verifications(manifest).MaxBy(v => v.Time));

    private static IEnumerable<VerificationSummary> Verifications(Manifest manifest)
        => manifest.Verifications.Select(v => new VerificationSummary(manifest.Id, v.Time, v.Level, v.Success, v.Errors,
            v.DurationSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null));

    /// <summary>The recorded duration, else end − start.</summary>
    private static TimeSpan DurationOf(Manifest manifest)
        => manifest.Stats.DurationSeconds > 0 ? TimeSpan.FromSeconds(manifest.Stats.DurationSeconds) : manifest.EndTime - manifest.StartTime;

    /// <summary>A short human duration: "45m", "30h", "7d", "1d 6h".</summary>
    public static string Describe(TimeSpan span)
    {
        var c = CultureInfo.InvariantCulture;
        if (span < TimeSpan.FromMinutes(1)) return ((int)span.TotalSeconds).ToString(c) + "s";
        if (span < TimeSpan.FromHours(1)) return ((int)span.TotalMinutes).ToString(c) + "m";
        if (span < TimeSpan.FromHours(48)) return span.Minutes == 0 || span.TotalHours >= 10
            ? ((int)span.TotalHours).ToString(c) + "h"
            : $"{((int)span.TotalHours).ToString(c)}h {span.Minutes.ToString(c)}m";
        return span.Hours == 0 ? span.Days.ToString(c) + "d" : $"{span.Days.ToString(c)}d {span.Hours.ToString(c)}h";
    }
}
