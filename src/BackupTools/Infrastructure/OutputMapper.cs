using BackupTools.Core.Configuration;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Schedules;
using BackupTools.Core.Sources.ConfigFiles;
using BackupTools.Core.Sources.ObjectStorage;

namespace BackupTools.Infrastructure;

/// <summary>Turns engine results into the output types PowerShell users see.</summary>
internal static class OutputMapper
{
    /// <summary>A backup's manifest as a <see cref="BackupInfo"/> that binds back to the same repository.</summary>
    public static BackupInfo ToBackupInfo(Manifest manifest, ResolvedRepository repository)
    {
        var database = manifest.Components.FirstOrDefault(c => c.Type == "database");
        var verification = manifest.Verifications.LastOrDefault();
        return new BackupInfo
        {
            Id = manifest.Id,
            Repository = repository.Given,
            Endpoint = repository.Location.Endpoint,
            Region = repository.Location.Region,
            Kind = manifest.Kind,
            Tags = manifest.Tags.ToArray(),
            StartTime = manifest.StartTime,
            EndTime = manifest.EndTime,
            Duration = manifest.EndTime - manifest.StartTime,
            Components = manifest.Components.OrderBy(c => c.Order).Select(c => c.Type).ToArray(),
            Database = database?.Name,
            Host = database is null ? manifest.Host : ServerOf(database.Source) ?? manifest.Host,
            Size = manifest.Stats.BytesRead,
            Added = manifest.Stats.BytesAdded,
            ChunksTotal = manifest.Stats.ChunksTotal,
            ChunksNew = manifest.Stats.ChunksNew,
            Parent = manifest.Parent,
            ToolVersion = manifest.ToolVersion,
            Verified = Describe(verification),
        };
    }

    /// <summary>One component check as a <see cref="BackupTestResult"/>.</summary>
    public static BackupTestResult ToTestResult(string backupId, ComponentCheck check) => new()
    {
        BackupId = backupId,
        Component = check.Component,
        Level = check.Level.ToString(),
        Success = check.Success,
        Errors = check.Errors.ToArray(),
        ChunksChecked = check.ChunksChecked,
        BytesChecked = check.BytesChecked,
        Duration = check.Duration,
    };

    /// <summary>A copy outcome as a <see cref="BackupCopyResult"/> that binds to the destination.</summary>
    public static BackupCopyResult ToCopyResult(CopyBackupOutcome outcome, ResolvedRepository source, ResolvedRepository destination)
    {
        var verification = outcome.Manifest.Verifications.LastOrDefault();
        return new BackupCopyResult
        {
            Id = outcome.BackupId,
            Repository = destination.Given,
            Endpoint = destination.Location.Endpoint,
            Region = destination.Location.Region,
            Source = source.Location.Uri,
            StorageClass = destination.Location.StorageClass,
            Skipped = outcome.Skipped,
            Size = outcome.Skipped ? outcome.Manifest.Stats.BytesRead : outcome.BytesRead,
            Uploaded = outcome.BytesAdded,
            ChunksTotal = outcome.Skipped ? outcome.Manifest.Stats.ChunksTotal : outcome.ChunksTotal,
            ChunksNew = outcome.ChunksNew,
            Verified = Describe(verification),
            Duration = outcome.Duration,
        };
    }

    /// <summary>A scheduled job and its state as a <see cref="ScheduleInfo"/>; <paramref name="now"/> decides whether it is due.</summary>
    public static ScheduleInfo ToScheduleInfo(ScheduleJob job, ScheduleJobState? state, string path, DateTimeOffset now)
    {
        var next = CronSchedule.NextRun(job, state);
        return new ScheduleInfo
        {
            Name = job.Name,
            Action = job.Action.ToString(),
            Cron = job.Cron,
            TimeZone = job.TimeZone ?? "UTC",
            Enabled = job.Enabled,
            NextRun = next,
            Due = job.Enabled && next <= now,
            LastRun = state?.LastRun,
            LastResult = state?.LastResult?.ToString(),
            LastMessage = state?.LastMessage,
            LastBackupId = state?.LastBackupId,
            Database = job.Database,
            Storage = job.Storage,
            ConfigPath = job.ConfigPaths.ToArray(),
            Repository = job.Repositories.ToArray(),
            CopyTo = job.CopyTo,
            Tag = job.Tags.ToArray(),
            Verify = job.Verify,
            Retention = Describe(job.Retention),
            Path = path,
        };
    }

    /// <summary>One run of Invoke-BackupSchedule as a <see cref="ScheduleRunInfo"/>.</summary>
    public static ScheduleRunInfo ToScheduleRunInfo(JobRun run) => new()
    {
        Name = run.Job,
        DueAt = run.Occurrence,
        Started = run.Started,
        Success = run.Outcome.Success,
        Message = run.Outcome.Message,
        BackupId = run.Outcome.BackupId,
        Duration = run.Duration,
    };

    /// <summary>"7 daily, 4 weekly, 12 monthly (prune)", or null when there is no policy.</summary>
    private static string? Describe(RetentionSettings? r)
    {
        if (r is null || r.IsEmpty) return null;
        var parts = new (int? Count, string Unit)[] { (r.KeepLast, "last"), (r.KeepDaily, "daily"), (r.KeepWeekly, "weekly"), (r.KeepMonthly, "monthly"), (r.KeepYearly, "yearly") }
            .Where(p => p.Count is not null).Select(p => $"{p.Count} {p.Unit}");
        return string.Join(", ", parts) + (r.Prune ? " (prune)" : "");
    }

    /// <summary>A database restore outcome as a <see cref="RestoreResult"/>.</summary>
    public static RestoreResult ToRestoreResult(string backupId, DatabaseRestoreOutcome outcome) => new()
    {
        BackupId = backupId,
        Component = "database",
        Success = outcome.Success,
        Errors = outcome.Errors.ToArray(),
        Target = outcome.TargetServer,
        Database = outcome.TargetDatabase,
        BytesRestored = outcome.BytesRestored,
        Duration = outcome.Duration,
        Steps = ToSteps(outcome.Steps),
        RestorePointId = outcome.RestorePointId,
    };

    /// <summary>A storage restore outcome as a <see cref="RestoreResult"/> (Target is the endpoint).</summary>
    public static RestoreResult ToRestoreResult(string backupId, StorageRestoreOutcome outcome) => new()
    {
        BackupId = backupId,
        Success = true,
        Component = ObjectStorageBackup.ComponentType,
        Target = outcome.Endpoint,
        Buckets = outcome.Buckets.ToArray(),
        BucketsCreated = outcome.BucketsCreated.ToArray(),
        ObjectsRestored = outcome.ObjectsRestored,
        ObjectsSkipped = outcome.ObjectsSkipped,
        ObjectsDeleted = outcome.ObjectsDeleted,
        BytesRestored = outcome.BytesRestored,
        Duration = outcome.Duration,
    };

    /// <summary>A configuration restore outcome as a <see cref="RestoreResult"/> (Target is the destination folder).</summary>
    public static RestoreResult ToRestoreResult(string backupId, ConfigRestoreOutcome outcome) => new()
    {
        BackupId = backupId,
        Component = ConfigBackup.ComponentType,
        Success = true,
        Target = outcome.Destination,
        BytesRestored = outcome.BytesRestored,
        Duration = outcome.Duration,
        RestorePointId = outcome.RestorePointId,
    };

    /// <summary>A restore drill as the database's <see cref="BackupTestResult"/>.</summary>
    public static BackupTestResult ToTestResult(string backupId, RestoreDrillOutcome drill) => new()
    {
        BackupId = backupId,
        Component = "database",
        Level = "Restore",
        Success = drill.Success,
        Errors = drill.Errors.ToArray(),
        Duration = drill.RecoveryTime,
        RecoveryTime = drill.RecoveryTime,
        RtoTarget = drill.RtoTarget,
        Steps = ToSteps(drill.Steps),
        Checks = drill.Checks.ToArray(),
    };

    private static RestoreStepInfo[] ToSteps(IEnumerable<RestoreStep> steps)
        => steps.Select(s => new RestoreStepInfo { Name = s.Name, Success = s.Success, Duration = s.Duration }).ToArray();

    /// <summary>A registry entry as a <see cref="RegisteredRepository"/>.</summary>
    public static RegisteredRepository ToRegistered(RepositoryRegistration registration) => new()
    {
        Name = registration.Name,
        Repository = registration.Repository,
        Endpoint = registration.Endpoint,
        Region = registration.Region,
        KeyFile = registration.KeyFile,
        Registered = registration.Registered,
    };

    /// <summary>"Quick: passed" / "Full: FAILED", or null when never verified.</summary>
    private static string? Describe(VerificationRecord? verification)
        => verification is null ? null : $"{verification.Level}: {(verification.Success ? "passed" : "FAILED")}";

    private static string? ServerOf(IReadOnlyDictionary<string, string> source)
    {
        if (!source.TryGetValue("host", out var host) || string.IsNullOrEmpty(host)) return null;
        return source.TryGetValue("port", out var port) && !string.IsNullOrEmpty(port) ? $"{host}:{port}" : host;
    }
}
