using System.Diagnostics;

namespace BackupTools.Testing;

/// <summary>Small helpers for the harness's child processes (no shell: arguments go through ArgumentList).</summary>
internal static class ChildProcess
{
    /// <summary>Runs a program to completion; throws with its output when it exits non-zero.</summary>
    public static async Task RunAsync(string program, IEnumerable<string> arguments, string workingDirectory, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', psi.ArgumentList)} exited with {process.ExitCode}:\n{await stdout.ConfigureAwait(false)}\n{await stderr.ConfigureAwait(false)}");
    }

    /// <summary>True when <paramref name="pid"/> is alive and running the program named <paramref name="expectedName"/>.</summary>
    public static bool IsRunning(int pid, string expectedName)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && process.ProcessName.Contains(expectedName, StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Kills the process <paramref name="pid"/> (and its children) when it is still running the program named <paramref name="expectedName"/>.</summary>
    public static void Kill(int pid, string expectedName)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (!process.ProcessName.Contains(expectedName, StringComparison.OrdinalIgnoreCase)) return; // the pid was reused
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (ArgumentException)
        {
            // already gone
        }
        catch (InvalidOperationException)
        {
            // exited meanwhile
        }
    }

    /// <summary>Deletes a folder the harness made, ignoring one that is already gone.</summary>
    public static void DeleteFolder(string path)
    {
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
    }
}
