using BackupTools.Core.Repository;
using BackupTools.Core.Sources.ConfigFiles;

namespace BackupTools.Core.Operations;

/// <summary>What one New-Backup run takes: its sources (each optional, at least one), labels and verification.</summary>
public sealed class BackupJobRequest
{
    /// <summary>The database to back up, or null.</summary>
    public DatabaseBackupRequest? Database { get; init; }
    /// <summary>Configuration files and folders to back up (absolute or relative to the current folder); empty = none.</summary>
    public IReadOnlyList<string> ConfigPaths { get; init; } = Array.Empty<string>();
    /// <summary>Labels stored with the backup.</summary>
    public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();
    /// <summary>Check each committed copy (and record the result in its manifest); null = no check.</summary>
    public VerifyLevel? Verify { get; init; }

    /// <summary>The manifest kind: how the database was read, or "files" when the backup holds no database.</summary>
    internal string Kind => Database is null ? "files" : Database.Method == DatabaseBackupMethod.Physical ? Wal.BaseBackupInfo.ManifestKind : "logical";

    /// <summary>Says what is being backed up, for locks and logs (never a secret).</summary>
    internal string Describe()
    {
        var parts = new List<string>();
        if (Database is not null) parts.Add(Database.ResolveSource().Description);
        if (ConfigPaths.Count > 0) parts.Add("configuration " + string.Join(", ", ConfigPaths));
        return "backup of " + (parts.Count == 0 ? "nothing" : string.Join(", ", parts));
    }
}

/// <summary>One destination's outcome of a backup job.</summary>
public sealed class BackupJobOutcome
{
    /// <summary>The repository written to.</summary>
    public required BackupRepository Repository { get; init; }
    /// <summary>The committed manifest (with the verification record when one was asked), or null when this destination failed.</summary>
    public Manifest? Manifest { get; init; }
    /// <summary>Why this destination failed, or null.</summary>
    public BackupToolsException? Error { get; init; }
    /// <summary>True when the backup was committed here (and, if asked, verified without error).</summary>
    public bool Success => Manifest is not null && (Manifest.Verifications.LastOrDefault()?.Success ?? true);
}

/// <summary>
/// New-Backup's engine: takes every requested source in a fixed order (database snapshot first, then storage, then
/// configuration, so restored storage matches the restored storage.objects rows) into one or more repositories,
/// reading each source once, then commits a manifest per repository and verifies it when asked.
/// </summary>
public static class BackupJob
{
    /// <summary>
    /// Runs the job. Throws when a source fails or no repository took the backup; otherwise returns one outcome per
    /// repository, in the order given, with the error of each one that was left out.
    /// </summary>
    public static async Task<IReadOnlyList<BackupJobOutcome>> RunAsync(IReadOnlyList<BackupRepository> repositories, BackupJobRequest request,
        IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct = default)
    {
        if (request.Database is null && request.ConfigPaths.Count == 0)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, "Nothing to back up: give a database, storage or configuration source.", null);
        // Scanned before anything is read, so a missing or unreadable path fails the job before any work.
        var config = request.ConfigPaths.Count > 0 ? ConfigTree.Scan(request.ConfigPaths) : null;
        await using (var session = await BackupSession.BeginAsync(repositories, request.Describe(), log, ct).ConfigureAwait(false))
        {
            if (request.Database is { Method: DatabaseBackupMethod.Physical }) await PhysicalBackup.WriteComponentAsync(session, request.Database, progress, log, ct).ConfigureAwait(false);
            else if (request.Database is not null) await LogicalBackup.WriteComponentAsync(session, request.Database, progress, log, ct).ConfigureAwait(false);
            if (config is not null) await ConfigBackup.WriteComponentAsync(session, config, progress, log, ct).ConfigureAwait(false);
            await session.CommitAsync(request.Kind, request.Tags, ct).ConfigureAwait(false);
            foreach (var destination in session.Destinations.Where(d => d.Manifest is not null))
                await VerifyAsync(destination, request.Verify, progress, log, ct).ConfigureAwait(false);
            return session.Destinations.Select(d => new BackupJobOutcome { Repository = d.Repository, Manifest = d.Manifest, Error = d.Error }).ToList();
        }
    }

    /// <summary>Checks a committed backup at the asked level and saves the result into its manifest.</summary>
    private static async Task VerifyAsync(BackupDestination destination, VerifyLevel? level, IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct)
    {
        if (level is null) return;
        var manifest = destination.Manifest!;
        var checks = await destination.Repository.VerifyAsync(manifest, level.Value, progress, ct).ConfigureAwait(false);
        var record = VerificationRecord.From(level.Value, checks);
        await destination.Repository.RecordVerificationAsync(manifest, record, ct).ConfigureAwait(false);
        foreach (var error in record.Errors) log.Write(LogLevel.Warning, $"Verification of {manifest.Id} in {destination.Repository.Location} failed: {error}");
    }
}
