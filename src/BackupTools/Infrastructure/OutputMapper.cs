using BackupTools.Core.Configuration;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;

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

    /// <summary>A database restore outcome as a <see cref="RestoreResult"/>.</summary>
    public static RestoreResult ToRestoreResult(string backupId, DatabaseRestoreOutcome outcome) => new()
    {
        BackupId = backupId,
        Success = outcome.Success,
        Errors = outcome.Errors.ToArray(),
        Target = outcome.TargetServer,
        Database = outcome.TargetDatabase,
        BytesRestored = outcome.BytesRestored,
        Duration = outcome.Duration,
    };

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
