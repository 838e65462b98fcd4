namespace BackupTools.Core.Postgres;

/// <summary>
/// Acting on a PostgreSQL server on this machine as its OS user: the data directory and files the server reads must
/// belong to that user, and pg_ctl runs as that user (PostgreSQL refuses root). When BackupTools runs as root it
/// hands files over with chown and runs server tools through runuser; otherwise everything runs as the current user.
/// </summary>
public static class LocalServer
{
    /// <summary>True when this process runs as root (Unix).</summary>
    public static bool IsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    /// <summary>The OS user a restored server runs as: <paramref name="requested"/>, else postgres when root, else the current user.</summary>
    public static string ServerUser(string? requested) => requested is { Length: > 0 } ? requested : IsRoot ? "postgres" : Environment.UserName;

    /// <summary>When root: makes <paramref name="path"/> (recursively) belong to <paramref name="user"/> and its login group.</summary>
    public static Task GiveToUserAsync(string path, string user, CancellationToken ct)
        => IsRoot ? RunCheckedAsync("chown", new[] { "-R", user + ":", path }, ct) : Task.CompletedTask;

    /// <summary>When root: gives <paramref name="path"/> the owner and group of <paramref name="reference"/> (e.g. the data directory).</summary>
    public static Task GiveOwnerOfAsync(string path, string reference, CancellationToken ct)
        => IsRoot ? RunCheckedAsync("chown", new[] { "--reference=" + reference, path }, ct) : Task.CompletedTask;

    /// <summary>Runs a server tool as <paramref name="user"/> (through runuser when root); returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsUserAsync(string user, string tool, IEnumerable<string> args, CancellationToken ct)
    {
        var (path, arguments) = IsRoot && user != "root"
            ? ("runuser", new[] { "-u", user, "--", tool }.Concat(args))
            : (tool, args);
        var (code, stdout, stderr) = await ToolProcess.RunAsync(path, arguments, ct: ct).ConfigureAwait(false);
        return (code, (stdout + "\n" + stderr).Trim());
    }

    private static async Task RunCheckedAsync(string tool, IEnumerable<string> args, CancellationToken ct)
    {
        var (code, _, stderr) = await ToolProcess.RunAsync(tool, args, ct: ct).ConfigureAwait(false);
        if (code != 0)
            throw new BackupToolsException(BackupErrorKind.PermissionDenied, $"{tool} {string.Join(' ', args)} failed: {stderr}", args.Last());
    }
}
