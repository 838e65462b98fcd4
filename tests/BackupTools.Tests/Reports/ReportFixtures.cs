using BackupTools.Core.Reports;
using BackupTools.Core.Repository;

namespace BackupTools.Tests.Reports;

/// <summary>Manifests and statuses built in code, at fixed times, for the pure report tests.</summary>
internal static class ReportFixtures
{
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public static ComponentEntry Database(string host = "db1", string port = "5432", string database = "app", long size = 1000) => new()
    {
        Type = "database",
        Name = database,
        Source = { ["host"] = host, ["port"] = port, ["database"] = database, ["user"] = "backup" },
        Files = { new FileEntry { Name = "database.dump", Size = size } },
    };

    public static Manifest Backup(TimeSpan ago, ComponentEntry? component = null, bool? verified = null, TimeSpan? verifiedAgo = null,
        string level = "Quick", double seconds = 60, params ComponentEntry[] more)
    {
        var start = Now - ago;
        var manifest = new Manifest
        {
            Id = Manifest.NewId(start),
            StartTime = start,
            EndTime = start + TimeSpan.FromSeconds(seconds),
            Stats = { BytesRead = 1000, BytesAdded = 100, DurationSeconds = seconds },
            Components = { component ?? Database() },
        };
        manifest.Components.AddRange(more);
        if (verified is { } success)
        {
            manifest.Verifications.Add(new VerificationRecord
            {
                Time = Now - (verifiedAgo ?? ago - TimeSpan.FromMinutes(5)),
                Level = level,
                Success = success,
                Errors = success ? new List<string>() : new List<string> { "database: chunk ab12 is missing" },
            });
        }
        return manifest;
    }

    public static RepositoryStatus Status(params Manifest[] manifests) => Status(new StatusPolicy(), manifests);

    public static RepositoryStatus Status(StatusPolicy policy, params Manifest[] manifests)
        => StatusCalculator.Compute(new StatusInput { Name = "main", Location = "/srv/backups/main", Manifests = manifests }, policy, Now);

    public static BackupReport Report(params RepositoryStatus[] repositories) => new(Now, "0.1.0", repositories);
}
