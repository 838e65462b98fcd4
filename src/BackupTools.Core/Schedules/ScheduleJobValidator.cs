using BackupTools.Core.Postgres;
using BackupTools.Core.Storage;

namespace BackupTools.Core.Schedules;

/// <summary>Checks a job before it is written to the schedule file, so a bad job fails at registration, not at 2 a.m.</summary>
internal static class ScheduleJobValidator
{
    /// <summary>InvalidArgument naming the offending value (never a secret) when the job cannot run.</summary>
    public static void Validate(ScheduleJob job)
    {
        if (string.IsNullOrWhiteSpace(job.Name) || job.Name.IndexOfAny(['*', '?', '[', ']', '/', '\\']) >= 0)
            throw Invalid($"'{job.Name}' is not a valid schedule job name: it must be non-empty without wildcards or slashes.", job.Name);
        CronSchedule.Parse(job.Cron, job.TimeZone);
        if (job.Repositories.Count == 0 || job.Repositories.Any(string.IsNullOrWhiteSpace))
            throw Invalid($"Schedule job '{job.Name}' needs at least one repository.", job.Name);
        if (!Enum.TryParse<VerifyChoice>(job.Verify, ignoreCase: true, out _))
            throw Invalid($"'{job.Verify}' is not a verification level: use None, Quick, Full or Restore.", job.Verify);
        if (job.RtoTarget is { } rto && (rto <= TimeSpan.Zero || !IsDrill(job)))
            throw Invalid($"The recovery-time objective of schedule job '{job.Name}' ({rto:g}) needs Verify Restore and must be positive.", rto.ToString("g"));
        if (job.Action == ScheduleAction.Copy)
            ValidateCopy(job);
        else
            ValidateBackup(job);
    }

    private static void ValidateBackup(ScheduleJob job)
    {
        if (job.Database is null && job.Storage is null && job.ConfigPaths.Count == 0)
            throw Invalid($"Schedule job '{job.Name}' has nothing to back up: give a database, storage or configuration source.", job.Name);
        if (job.Database is null) return;
        PgConnectionInfo.Parse(job.Database); // InvalidArgument when it does not parse
        if (PgConnectionInfo.MaskPassword(job.Database) != job.Database) // a password in the string itself (not PGPASSWORD)
            throw Invalid($"The connection string of schedule job '{job.Name}' holds a password; the schedule file must not. " +
                          "Leave it out and set PGPASSWORD for the scheduled task, or use ~/.pgpass.", PgConnectionInfo.MaskPassword(job.Database));
    }

    private static void ValidateCopy(ScheduleJob job)
    {
        if (string.IsNullOrWhiteSpace(job.CopyTo))
            throw Invalid($"Copy job '{job.Name}' needs a destination repository.", job.Name);
        if (IsDrill(job))
            throw Invalid($"Copy job '{job.Name}' cannot verify by a restore drill: a drill follows a backup job (use Quick or Full for a copy).", job.Verify);
        if (job.StorageClass is not null) job.StorageClass = S3StorageClasses.Normalize(job.StorageClass);
    }

    private static BackupToolsException Invalid(string message, string? value) => new(BackupErrorKind.InvalidArgument, message, value);

    /// <summary>True when the job's verification is a restore drill of each new backup.</summary>
    internal static bool IsDrill(ScheduleJob job) => string.Equals(job.Verify, nameof(VerifyChoice.Restore), StringComparison.OrdinalIgnoreCase);

    /// <summary>The verification levels a job may name (Restore: a restore drill after each backup).</summary>
    internal enum VerifyChoice { None, Quick, Full, Restore }
}
