using System.Text.Json;
using BackupTools.Core.Configuration;

namespace BackupTools.Core.Schedules;

/// <summary>
/// The schedule: jobs in schedules.json (what the user registered) and, next to it, schedules.state.json (what the
/// scheduler remembers: last run, result, backup id). Both live in the user config folder next to the repository
/// registry, unless $BACKUPTOOLS_SCHEDULE_FILE or an explicit path says otherwise. Writes are atomic (temporary
/// file, then rename), so a reader never sees half a file; jobs and state are separate files so registering a job
/// while a run records its state loses neither.
/// </summary>
public sealed class ScheduleFile
{
    /// <summary>The environment variable that moves the schedule file (tests, several schedules on one machine).</summary>
    public const string PathVariable = "BACKUPTOOLS_SCHEDULE_FILE";
    private const string FileName = "schedules.json";
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>Opens the schedule stored at <paramref name="path"/> (the file need not exist yet).</summary>
    public ScheduleFile(string path)
    {
        FilePath = Path.GetFullPath(path);
        StatePath = Path.ChangeExtension(FilePath, ".state.json");
        LockPath = FilePath + ".lock";
    }

    /// <summary>The schedule at <paramref name="path"/>, else $BACKUPTOOLS_SCHEDULE_FILE, else schedules.json in the user config folder.</summary>
    public static ScheduleFile Open(string? path = null)
    {
        var chosen = !string.IsNullOrEmpty(path) ? path
            : Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
            : Path.Combine(RepositoryRegistry.DefaultConfigDirectory(), FileName);
        return new ScheduleFile(chosen);
    }

    /// <summary>The jobs file.</summary>
    public string FilePath { get; }
    /// <summary>The state file (last runs and results).</summary>
    public string StatePath { get; }
    /// <summary>The lock file Invoke-BackupSchedule holds while it runs.</summary>
    public string LockPath { get; }

    /// <summary>Every job, sorted by name. Corrupt (naming the file) when it does not parse.</summary>
    public IReadOnlyList<ScheduleJob> LoadJobs()
        => (Read<List<ScheduleJob>>(FilePath) ?? new()).OrderBy(j => j.Name, StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>The job named <paramref name="name"/> (case-insensitive), or null.</summary>
    public ScheduleJob? Find(string name) => LoadJobs().FirstOrDefault(j => SameName(j.Name, name));

    /// <summary>
    /// Adds a job, or replaces the one of the same name when <paramref name="replace"/> is set (its state is kept only
    /// when the timing is unchanged). The job is checked first: InvalidArgument for a bad name, cron expression, time
    /// zone, a password in the connection string or a job with nothing to do; InvalidOperation when the name is taken.
    /// </summary>
    public void Register(ScheduleJob job, bool replace)
    {
        ScheduleJobValidator.Validate(job);
        var jobs = LoadJobs().ToList();
        var existing = jobs.FindIndex(j => SameName(j.Name, job.Name));
        if (existing >= 0 && !replace)
            throw new BackupToolsException(BackupErrorKind.InvalidOperation,
                $"A schedule job named '{job.Name}' already exists (use -Force to replace it).", job.Name);
        if (existing >= 0)
        {
            if (jobs[existing].Cron != job.Cron || jobs[existing].TimeZone != job.TimeZone) ForgetState(job.Name);
            jobs.RemoveAt(existing);
        }
        jobs.Add(job);
        Write(FilePath, jobs.OrderBy(j => j.Name, StringComparer.OrdinalIgnoreCase).ToList());
    }

    /// <summary>Removes a job and its state; false when there was no such job.</summary>
    public bool Unregister(string name)
    {
        var jobs = LoadJobs().ToList();
        if (jobs.RemoveAll(j => SameName(j.Name, name)) == 0) return false;
        Write(FilePath, jobs);
        ForgetState(name);
        return true;
    }

    /// <summary>Every job's state by name (case-insensitive); a job never run has none.</summary>
    public Dictionary<string, ScheduleJobState> LoadState()
        => new(Read<Dictionary<string, ScheduleJobState>>(StatePath) ?? new(), StringComparer.OrdinalIgnoreCase);

    /// <summary>Records one job's state (the others are re-read, so concurrent writers of different jobs do not clash).</summary>
    public void SaveState(string name, ScheduleJobState state)
    {
        var all = LoadState();
        all[name] = state;
        Write(StatePath, all);
    }

    private void ForgetState(string name)
    {
        var all = LoadState();
        if (all.Remove(name)) Write(StatePath, all);
    }

    private static bool SameName(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static T? Read<T>(string path) where T : class
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), JsonOptions);
        }
        catch (JsonException e)
        {
            throw new BackupToolsException(BackupErrorKind.Corrupt, $"The schedule file '{path}' is not valid JSON: {e.Message}", path, e);
        }
    }

    private static void Write<T>(string path, T value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(value, JsonOptions));
        File.Move(temp, path, overwrite: true);
    }
}
