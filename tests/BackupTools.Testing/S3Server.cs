using System.Diagnostics;
using System.Text;

namespace BackupTools.Testing;

/// <summary>Where a running s3rver is and how to reach it (the state file's S3 part).</summary>
public sealed record S3State(string Endpoint, string AccessKey, string SecretKey, int Pid, string Directory);

/// <summary>
/// A throwaway s3rver (npm, pinned in tests/harness/s3) on a free loopback port with its own folder.
/// Started with <see cref="StartAsync"/>, or attached to from a state file with <see cref="Attach"/>.
/// </summary>
public sealed class S3Server
{
    /// <summary>s3rver's built-in access key id.</summary>
    public const string DefaultAccessKey = "S3RVER";
    /// <summary>s3rver's built-in secret key (a test credential).</summary>
    public const string DefaultSecretKey = "S3RVER";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private const string FolderPrefix = "backuptools-s3-";
    private const string PidFile = "server.pid";
    private const string DataFolder = "data";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private S3Server(S3State state) => State = state;

    /// <summary>Endpoint, keys, process id and folder.</summary>
    public S3State State { get; }

    /// <summary>The service URL, e.g. http://127.0.0.1:40123.</summary>
    public string Endpoint => State.Endpoint;

    /// <summary>Installs s3rver if needed (npm ci), starts it and waits until it listens.</summary>
    public static async Task<S3Server> StartAsync(CancellationToken ct = default)
    {
        await EnsureInstalledAsync(ct).ConfigureAwait(false);
        SweepStaleFolders();
        var directory = Directory.CreateTempSubdirectory(FolderPrefix).FullName;
        var psi = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepoPaths.S3Harness,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // s3rver's list continuation tokens use DES, which Node 17+ only has in OpenSSL's legacy provider.
        foreach (var a in new[] { "--openssl-legacy-provider", Path.Combine(RepoPaths.S3Harness, "server.js"), "--directory", Path.Combine(directory, DataFolder) })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start node.");
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(StartTimeout);
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            line = null;
        }
        if (line is null || !line.StartsWith("ready ", StringComparison.Ordinal) || !int.TryParse(line.AsSpan(6), out var port))
        {
            ChildProcess.Kill(process.Id, "node");
            ChildProcess.DeleteFolder(directory);
            string stderr;
            lock (errors) stderr = errors.ToString();
            throw new InvalidOperationException($"s3rver did not start (first line: '{line}'):\n{stderr}");
        }
        await File.WriteAllTextAsync(Path.Combine(directory, PidFile), process.Id.ToString(), ct).ConfigureAwait(false);
        return new S3Server(new S3State($"http://127.0.0.1:{port}", DefaultAccessKey, DefaultSecretKey, process.Id, directory));
    }

    /// <summary>
    /// Deletes folders of servers that are gone: a test host that is killed before its exit handler has
    /// deleted a large folder leaves it behind, and the next start cleans it up.
    /// </summary>
    private static void SweepStaleFolders()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            try
            {
                var pidFile = Path.Combine(folder, PidFile);
                var stale = File.Exists(pidFile)
                    ? !(int.TryParse(File.ReadAllText(pidFile), out var pid) && ChildProcess.IsRunning(pid, "node"))
                    : Directory.GetCreationTimeUtc(folder) < DateTime.UtcNow.AddMinutes(-10); // else it may be starting
                if (stale) Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // another process is sweeping or still using it
            }
        }
    }

    /// <summary>Uses an s3rver started by another process (see the harness program's start command).</summary>
    public static S3Server Attach(S3State state) => new(state);

    /// <summary>Stops the server (its folder stays; see <see cref="StopAsync"/>).</summary>
    public void Kill() => ChildProcess.Kill(State.Pid, "node");

    /// <summary>Stops the server and deletes its folder.</summary>
    public Task StopAsync()
    {
        Kill();
        // The data first and the pid file last: a stop cut short leaves a folder the next start can tell is stale.
        ChildProcess.DeleteFolder(Path.Combine(State.Directory, DataFolder));
        ChildProcess.DeleteFolder(State.Directory);
        return Task.CompletedTask;
    }

    /// <summary>Creates a bucket with a unique name starting with <paramref name="prefix"/> and returns its name.</summary>
    public async Task<string> CreateBucketAsync(string prefix, CancellationToken ct = default)
    {
        var clean = new string(prefix.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '-').ToArray()).Trim('-');
        if (clean.Length > 30) clean = clean[..30].TrimEnd('-');
        var name = $"{(clean.Length < 3 ? "test" : clean)}-{Guid.NewGuid():N}"; // at most 63 characters
        // s3rver serves anonymous requests (no Authorization header), which keeps the SDK out of the harness.
        using var response = await Http.PutAsync($"{Endpoint}/{name}", content: null, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Creating bucket '{name}' at {Endpoint} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false)}");
        return name;
    }

    private static async Task EnsureInstalledAsync(CancellationToken ct)
    {
        var harness = RepoPaths.S3Harness;
        if (Directory.Exists(Path.Combine(harness, "node_modules", "s3rver"))) return;
        // Test processes may start side by side: the first installs, the others wait for its lock.
        await using var installLock = await AcquireLockAsync(Path.Combine(harness, ".install.lock"), ct).ConfigureAwait(false);
        if (Directory.Exists(Path.Combine(harness, "node_modules", "s3rver"))) return;
        await ChildProcess.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], harness, ct).ConfigureAwait(false);
    }

    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500, ct).ConfigureAwait(false);
            }
        }
    }
}
