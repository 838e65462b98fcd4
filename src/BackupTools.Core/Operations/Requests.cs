using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;

namespace BackupTools.Core.Operations;

/// <summary>What New-Backup -Database asks for (logical method).</summary>
public sealed class DatabaseBackupRequest
{
    /// <summary>postgresql:// URI, libpq key=value, or Npgsql-style Key=Value; may hold a password (never stored).</summary>
    public string ConnectionString { get; init; } = "";
    /// <summary>The database as already parsed (takes precedence over <see cref="ConnectionString"/>).</summary>
    public PgConnectionInfo? Connection { get; init; }

    /// <summary>The database to read: <see cref="Connection"/>, else the parsed <see cref="ConnectionString"/>.</summary>
    public PgConnectionInfo ResolveSource() => Connection ?? PgConnectionInfo.Parse(ConnectionString);
    /// <summary>Folder holding pg_dump/pg_restore to prefer over PATH and the usual install folders.</summary>
    public string? PgBinDirectory { get; init; }
    /// <summary>Also dump roles with pg_dumpall --roles-only --no-role-passwords (skipped with a warning when not permitted).</summary>
    public bool IncludeRoles { get; init; } = true;
    /// <summary>Logical (pg_dump of one database) or Physical (base backup of the whole cluster; needs WAL archiving).</summary>
    public DatabaseBackupMethod Method { get; init; } = DatabaseBackupMethod.Logical;
    /// <summary>Physical only: use pg_basebackup's stream even when the data directory is readable here (tests of that path).</summary>
    internal bool StreamBaseBackup { get; init; }
}

/// <summary>How a database is read.</summary>
public enum DatabaseBackupMethod
{
    /// <summary>pg_dump of one database (<see cref="LogicalBackup"/>).</summary>
    Logical,
    /// <summary>A base backup of the cluster plus the WAL archive (<see cref="PhysicalBackup"/>).</summary>
    Physical,
}

/// <summary>What Restore-Backup -Component Database asks for.</summary>
public sealed class DatabaseRestoreRequest
{
    /// <summary>Server/database to restore to; null means the source recorded in the manifest (the password then comes from the environment, e.g. PGPASSWORD).</summary>
    public string? TargetConnectionString { get; init; }
    /// <summary>Restore into a new database of this name on the target server (created; must not exist).</summary>
    public string? AsDatabase { get; init; }
    public IReadOnlyList<string> Schemas { get; init; } = Array.Empty<string>();
    /// <summary>Tables as name or schema.name.</summary>
    public IReadOnlyList<string> Tables { get; init; } = Array.Empty<string>();
    public string? PgBinDirectory { get; init; }
    /// <summary>
    /// Parallelism; 0 = the default. A whole restore loads the rows with this many COPY sessions (default: the processor
    /// count, at least 2) and builds indexes with pg_restore -j of the same number (see ParallelCopyRestore); 1 streams
    /// the backup straight into one pg_restore. A selective restore into a new database streams into one pg_restore by
    /// default, or with 2 or more reads the dump into a spool file for pg_restore -j; in place it always reads and
    /// verifies the whole dump into a spool file first.
    /// </summary>
    public int Jobs { get; init; }
    /// <summary>Create roles from the backup's roles script that the target lacks.</summary>
    public bool RestoreRoles { get; init; } = true;
    /// <summary>Folder for the verified spool file pg_restore reads; null = system temp.</summary>
    public string? TempDirectory { get; init; }
    /// <summary>Before overwriting an existing database, back it up into the same repository (tagged restore-point).</summary>
    public bool TakeRestorePoint { get; init; } = true;
    /// <summary>Check the restored database against the backup (row counts, checksums, indexes, pg_amcheck) before it is put in service.</summary>
    public bool Verify { get; init; } = true;
}

/// <summary>One step of a restore and how long it took.</summary>
public sealed record RestoreStep(string Name, bool Success, TimeSpan Duration);

public sealed class DatabaseRestoreOutcome
{
    public bool Success { get; set; }
    public string TargetDatabase { get; set; } = "";
    public string TargetServer { get; set; } = "";
    public long BytesRestored { get; set; }
    public TimeSpan Duration { get; set; }
    public List<string> Errors { get; } = new();
    public List<string> Warnings { get; } = new();
    /// <summary>The steps taken, in order, with their durations.</summary>
    public List<RestoreStep> Steps { get; } = new();
    /// <summary>The backup taken of the target just before it was overwritten, if any.</summary>
    public string? RestorePointId { get; set; }
}

/// <summary>The result of checking one component of a backup.</summary>
public sealed class ComponentCheck
{
    public string Component { get; set; } = "";
    public VerifyLevel Level { get; set; }
    public bool Success { get; set; }
    public int ChunksChecked { get; set; }
    public long BytesChecked { get; set; }
    public TimeSpan Duration { get; set; }
    public List<string> Errors { get; } = new();
}
