using BackupTools.Core.Configuration;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Sources.ConfigFiles;

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
            Verified = verification is null ? null : $"{verification.Level}: {(verification.Success ? "passed" : "FAILED")}",
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

    private static string? ServerOf(IReadOnlyDictionary<string, string> source)
    {
        if (!source.TryGetValue("host", out var host) || string.IsNullOrEmpty(host)) return null;
        return source.TryGetValue("port", out var port) && !string.IsNullOrEmpty(port) ? $"{host}:{port}" : host;
    }
}
