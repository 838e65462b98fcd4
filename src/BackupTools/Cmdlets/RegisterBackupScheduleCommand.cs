using System.Collections.Specialized;
using System.Management.Automation;
using BackupTools.Core.Schedules;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>
/// Register-BackupSchedule: adds a job to the schedule file (-Name -Cron …), the default plan (-DefaultPlan), or
/// installs what runs Invoke-BackupSchedule every few minutes (-Install: systemd timer, crontab line or Scheduled Task;
/// -WhatIf shows it). The file holds no secret: PGPASSWORD/.pgpass, key files and AWS_* supply them at run time.
/// </summary>
[Cmdlet(VerbsLifecycle.Register, "BackupSchedule", DefaultParameterSetName = JobSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ScheduleInfo), typeof(ScheduleInstallation))]
public sealed class RegisterBackupScheduleCommand : ScheduleCmdletBase
{
    private const string JobSet = "Job", PlanSet = "DefaultPlan", InstallSet = "Install";

    /// <summary>The job's name.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = JobSet)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>When it runs: a cron expression ('0 2 * * *'; six fields when the first is seconds; @daily …).</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = JobSet)]
    [ValidateNotNullOrEmpty]
    public string Cron { get; set; } = "";

    /// <summary>The time zone the times are read in (IANA or Windows id); by default this machine's.</summary>
    [Parameter(ParameterSetName = JobSet)]
    [Parameter(ParameterSetName = PlanSet)]
    public string? TimeZone { get; set; }

    /// <summary>The database to back up: a connection string without a password.</summary>
    [Parameter(ParameterSetName = JobSet)]
    [Parameter(ParameterSetName = PlanSet)]
    public string? Database { get; set; }

    /// <summary>Folder holding pg_dump to prefer.</summary>
    [Parameter(ParameterSetName = JobSet)]
    [Parameter(ParameterSetName = PlanSet)]
    public string? PgBinDirectory { get; set; }

    /// <summary>The object-storage endpoint to back up.</summary>
    [Parameter(ParameterSetName = JobSet)]
    [Parameter(ParameterSetName = PlanSet)]
    public string? Storage { get; set; }

    /// <summary>The buckets to back up (all when omitted).</summary>
    [Parameter(ParameterSetName = JobSet)]
    [Parameter(ParameterSetName = PlanSet)]
    public string[] Bucket { get; set; } = [];

    /// <summary>Configuration files and folders to back up.</summary>
    [Parameter(ParameterSetName = JobSet)]
    [Parameter(ParameterSetName = PlanSet)]
    public string[] ConfigPath { get; set; } = [];

    /// <summary>The repositories (registered names, paths or URIs); a -CopyTo job copies from the first.</summary>
    [Parameter(Mandatory = true, ParameterSetName = JobSet)]
    [Parameter(Mandatory = true, ParameterSetName = PlanSet)]
    [ValidateNotNullOrEmpty]
    public string[] Repository { get; set; } = [];

    /// <summary>Labels given to each backup.</summary>
    [Parameter(ParameterSetName = JobSet)]
    public string[] Tag { get; set; } = [];

    /// <summary>Verification after each backup or copy: None, Quick, Full, or Restore (backup jobs: a quick check and a restore drill of the new backup).</summary>
    [Parameter(ParameterSetName = JobSet)]
    public ScheduleVerifyMode Verify { get; set; } = ScheduleVerifyMode.Quick;

    /// <summary>With -Verify Restore: the recovery-time objective each drill is measured against (default 30 minutes).</summary>
    [Parameter(ParameterSetName = JobSet)]
    public TimeSpan? RtoTarget { get; set; }

    /// <summary>Re-read every storage object instead of only the changed ones.</summary>
    [Parameter(ParameterSetName = JobSet)]
    public SwitchParameter FullStorageRead { get; set; }

    /// <summary>Retention after each backup: keep the newest N backups.</summary>
    [Parameter(ParameterSetName = JobSet)]
    [ValidateRange(1, int.MaxValue)]
    public int? KeepLast { get; set; }

    /// <summary>Retention: keep the newest backup of each of the last N days.</summary>
    [Parameter(ParameterSetName = JobSet)]
    [ValidateRange(1, int.MaxValue)]
    public int? KeepDaily { get; set; }

    /// <summary>Retention: keep the newest backup of each of the last N weeks.</summary>
    [Parameter(ParameterSetName = JobSet)]
    [ValidateRange(1, int.MaxValue)]
    public int? KeepWeekly { get; set; }

    /// <summary>Retention: keep the newest backup of each of the last N months.</summary>
    [Parameter(ParameterSetName = JobSet)]
    [ValidateRange(1, int.MaxValue)]
    public int? KeepMonthly { get; set; }

    /// <summary>Retention: keep the newest backup of each of the last N years.</summary>
    [Parameter(ParameterSetName = JobSet)]
    [ValidateRange(1, int.MaxValue)]
    public int? KeepYearly { get; set; }

    /// <summary>Retention also prunes chunks no remaining backup needs.</summary>
    [Parameter(ParameterSetName = JobSet)]
    public SwitchParameter Prune { get; set; }

    /// <summary>Makes a copy job: copies the newest backup of the first -Repository here (Copy-Backup).</summary>
    [Parameter(ParameterSetName = JobSet)]
    public string? CopyTo { get; set; }

    /// <summary>A copy job copies the newest backup with this tag.</summary>
    [Parameter(ParameterSetName = JobSet)]
    public string? CopyTag { get; set; }

    /// <summary>S3 storage class of a copy job's copies.</summary>
    [Parameter(ParameterSetName = JobSet)]
    [ValidateSet("STANDARD", "STANDARD_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE", IgnoreCase = true)]
    public string? StorageClass { get; set; }

    /// <summary>Register the job without running it.</summary>
    [Parameter(ParameterSetName = JobSet)]
    public SwitchParameter Disabled { get; set; }

    /// <summary>Register the default plan: daily 02:00, weekly Sunday full, monthly cold copy; retention 7/4/12.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PlanSet)]
    public SwitchParameter DefaultPlan { get; set; }

    /// <summary>The default plan's cold-storage repository for the monthly copy (no copy job when omitted).</summary>
    [Parameter(ParameterSetName = PlanSet)]
    public string? ColdRepository { get; set; }

    /// <summary>The storage class of the monthly cold copy.</summary>
    [Parameter(ParameterSetName = PlanSet)]
    [ValidateSet("STANDARD_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE", IgnoreCase = true)]
    public string ColdStorageClass { get; set; } = "GLACIER_IR";

    /// <summary>Replace jobs of the same name.</summary>
    [Parameter(ParameterSetName = JobSet)]
    [Parameter(ParameterSetName = PlanSet)]
    public SwitchParameter Force { get; set; }

    /// <summary>Install what runs Invoke-BackupSchedule every -IntervalMinutes (systemd timer, crontab line or Scheduled Task).</summary>
    [Parameter(Mandatory = true, ParameterSetName = InstallSet)]
    public SwitchParameter Install { get; set; }

    /// <summary>Minutes between scheduler runs (1-60).</summary>
    [Parameter(ParameterSetName = InstallSet)]
    [ValidateRange(1, 60)]
    public int IntervalMinutes { get; set; } = 5;

    /// <summary>Systemd, Cron or WindowsTask; by default what this machine offers.</summary>
    [Parameter(ParameterSetName = InstallSet)]
    public ScheduleRunner? Scheduler { get; set; }

    /// <summary>The pwsh the scheduler starts; by default the one running this command.</summary>
    [Parameter(ParameterSetName = InstallSet)]
    public string? PwshPath { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var schedule = OpenSchedule();
        if (ParameterSetName == InstallSet)
        {
            InstallScheduler(schedule);
            return;
        }
        var now = DateTimeOffset.UtcNow;
        var jobs = ParameterSetName == PlanSet ? RunQuick(() => Core.Schedules.DefaultPlan.Create(PlanOptions(now))) : [BuildJob(now)];
        foreach (var job in jobs)
        {
            if (!ShouldProcess(schedule.FilePath, $"Register schedule job '{job.Name}' ({job.Cron}, {job.TimeZone})")) continue;
            RunQuick(() =>
            {
                schedule.Register(job, Force);
                return true;
            });
            WriteObject(OutputMapper.ToScheduleInfo(job, null, schedule.FilePath, now));
        }
    }

    private string ZoneId() => TimeZone ?? TimeZoneInfo.Local.Id;

    private string? FullPath(string? path) => path is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    private ScheduleJob BuildJob(DateTimeOffset now) => new()
    {
        Name = Name, Cron = Cron, TimeZone = ZoneId(), Enabled = !Disabled, Registered = now,
        Action = CopyTo is null ? ScheduleAction.Backup : ScheduleAction.Copy,
        Database = Database, PgBinDirectory = FullPath(PgBinDirectory), Storage = Storage, Buckets = Bucket.ToList(),
        FullStorageRead = FullStorageRead, ConfigPaths = ConfigPath.Select(p => FullPath(p)!).ToList(),
        Repositories = Repository.ToList(), Tags = Tag.ToList(), Verify = Verify.ToString(), RtoTarget = RtoTarget,
        CopyTo = CopyTo, CopyTag = CopyTag, StorageClass = StorageClass,
        Retention = new RetentionSettings { KeepLast = KeepLast, KeepDaily = KeepDaily, KeepWeekly = KeepWeekly, KeepMonthly = KeepMonthly, KeepYearly = KeepYearly, Prune = Prune } is { IsEmpty: false } r ? r : null,
    };

    private DefaultPlanOptions PlanOptions(DateTimeOffset now) => new()
    {
        Database = Database, PgBinDirectory = FullPath(PgBinDirectory), Storage = Storage, Buckets = Bucket,
        ConfigPaths = ConfigPath.Select(p => FullPath(p)!).ToList(), Repositories = Repository, ColdRepository = ColdRepository,
        ColdStorageClass = ColdStorageClass.ToUpperInvariant(), TimeZone = ZoneId(), Registered = now,
    };

    private void InstallScheduler(ScheduleFile schedule)
    {
        var kind = Scheduler is { } chosen ? Enum.Parse<SchedulerKind>(chosen.ToString()) : SchedulerInstaller.Detect();
        var options = new InstallOptions
        {
            PwshPath = FullPath(PwshPath) ?? DefaultPwsh(),
            ModuleManifest = System.IO.Path.Combine(MyInvocation.MyCommand.Module?.ModuleBase ?? AppContext.BaseDirectory, "BackupTools.psd1"),
            ScheduleFile = schedule.FilePath,
            IntervalMinutes = IntervalMinutes,
            SystemWide = !OperatingSystem.IsWindows() && Environment.UserName == "root",
            EnvironmentFile = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(schedule.FilePath)!, "schedule.env"),
        };
        var plan = RunEngine(async (_, _, ct) => SchedulerInstaller.Plan(kind, options,
            kind == SchedulerKind.Cron ? await SchedulerInstaller.ReadCrontabAsync(ct).ConfigureAwait(false) : null));
        var install = ShouldProcess(string.Join(", ", plan.Files.Select(f => f.Path).Concat(plan.Commands.Select(c => string.Join(' ', c)))),
            $"Install a {kind} run of Invoke-BackupSchedule every {IntervalMinutes} minutes");
        if (install) RunEngine(async (_, _, ct) => { await SchedulerInstaller.InstallAsync(plan, ct).ConfigureAwait(false); return true; });
        var files = new OrderedDictionary();
        foreach (var file in plan.Files) files[file.Path] = file.Content;
        WriteObject(new ScheduleInstallation
        {
            Kind = kind.ToString(), Installed = install, Command = plan.InvokeCommand.ToArray(), Files = files,
            Commands = plan.Commands.Select(c => string.Join(' ', c)).ToArray(),
        });
    }

    /// <summary>The pwsh running this command: $PSHOME's pwsh (also when pwsh runs as a dotnet tool), else this process.</summary>
    private string DefaultPwsh()
    {
        var home = SessionState.PSVariable.GetValue("PSHOME") as string;
        var candidate = home is null ? null : System.IO.Path.Combine(home, OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh");
        return candidate is not null && File.Exists(candidate) ? candidate : Environment.ProcessPath ?? "pwsh";
    }
}
