using System.Diagnostics;
using System.Text;

namespace BackupTools.Core.Postgres;

/// <summary>
/// A running external tool (pg_dump, pg_restore, …), started without a shell: arguments through
/// ArgumentList, secrets only through the environment. Its stdout is a stream for the caller; its
/// stderr is kept (the last few KiB) for error messages. Disposing kills it if it still runs.
/// </summary>
public sealed class ToolProcess : IAsyncDisposable
{
    private const int StderrLimit = 8 * 1024;
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;

    private ToolProcess(Process process)
    {
        _process = process;
        _stderrPump = PumpStderrAsync();
    }

    /// <summary>The tool's standard output.</summary>
    public Stream StandardOutput => _process.StandardOutput.BaseStream;

    /// <summary>The tool's standard input; only open when started with <c>feedStdin</c> (dispose it to send end of file).</summary>
    public Stream StandardInput => _process.StandardInput.BaseStream;

    /// <summary>The last few KiB the tool wrote to stderr (complete once it has exited).</summary>
    public string StderrTail
    {
        get { lock (_stderr) return _stderr.ToString().Trim(); }
    }

    /// <summary>
    /// Starts <paramref name="path"/> with <paramref name="arguments"/>; environment entries with a null value are removed.
    /// Standard input is closed at once (tools must never wait for a prompt) unless <paramref name="feedStdin"/> is set,
    /// when the caller streams the tool's input (pg_restore reading an archive).
    /// </summary>
    public static ToolProcess Start(string path, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, bool feedStdin = false)
    {
        var psi = new ProcessStartInfo(path)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            CreateNoWindow = true,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>())
        {
            if (v is null) psi.Environment.Remove(k);
            else psi.Environment[k] = v;
        }
        try
        {
            var process = Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned null.");
            if (!feedStdin) process.StandardInput.Close();
            return new ToolProcess(process);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new BackupToolsException(BackupErrorKind.NotFound, $"Cannot start '{path}': {e.Message}", path, e);
        }
    }

    /// <summary>Runs a tool to the end and returns its exit code, stdout (as text) and stderr tail.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string path, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null, CancellationToken ct = default)
    {
        await using var p = Start(path, arguments, environment);
        using var reader = new StreamReader(p.StandardOutput);
        var stdout = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
        var code = await p.WaitForExitAsync(ct).ConfigureAwait(false);
        return (code, stdout, p.StderrTail);
    }

    /// <summary>Waits for the tool to exit and returns its exit code; on cancellation the tool is killed.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken ct = default)
    {
        try
        {
            await _process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw;
        }
        await _stderrPump.ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>Kills the tool (and its children) if it is still running.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { /* already gone */ }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try { await _stderrPump.ConfigureAwait(false); } catch (IOException) { }
        _process.Dispose();
    }

    private async Task PumpStderrAsync()
    {
        var buffer = new char[1024];
        int n;
        while ((n = await _process.StandardError.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (_stderr)
            {
                _stderr.Append(buffer, 0, n);
                if (_stderr.Length > StderrLimit) _stderr.Remove(0, _stderr.Length - StderrLimit);
            }
        }
    }
}
