using BackupTools.Core.Repository;

namespace BackupTools.Core.Operations;

/// <summary>New-Backup -Method Logical: pg_dump streamed into the repository. STUB: signature is the contract.</summary>
public static class LogicalBackup
{
    /// <summary>Takes a logical backup and commits its manifest (chunks first, manifest last). Returns the saved manifest.</summary>
    public static Task<Manifest> RunAsync(BackupRepository repository, DatabaseBackupRequest request,
        IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct = default)
        => throw new NotImplementedException();
}

/// <summary>Restore-Backup -Component Database. STUB: signature is the contract.</summary>
public static class LogicalRestore
{
    /// <summary>
    /// Reads and verifies the whole dump first (into a spool file), so a corrupt backup fails before the target
    /// is touched; then pg_restore into the target (in place with --clean, or a new database with AsDatabase).
    /// </summary>
    public static Task<DatabaseRestoreOutcome> RunAsync(BackupRepository repository, Manifest manifest, DatabaseRestoreRequest request,
        IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct = default)
        => throw new NotImplementedException();
}
