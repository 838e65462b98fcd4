using System.Globalization;
using BackupTools.Core.Postgres;

namespace BackupTools.Core.Operations;

/// <summary>One pg_restore run against a target database: its arguments, optionally its archive fed through stdin, its exit code checked.</summary>
internal static class PgRestoreRun
{
    /// <summary>The arguments every restore run starts with: stop at the first error, never prompt, connect to <paramref name="target"/>.</summary>
    public static List<string> ArgumentsFor(PgConnectionInfo target)
        => new() { "--exit-on-error", "--no-password", "-d", "dbname=" + QuoteConnValue(target.Database) };

    /// <summary>"-j" and the job count.</summary>
    public static string[] Jobs(int jobs) => new[] { "-j", jobs.ToString(CultureInfo.InvariantCulture) };

    /// <summary>
    /// Runs pg_restore to its end and returns its stdout. <paramref name="feed"/>, when given, writes the archive into
    /// its stdin (closed afterwards); pg_restore may stop reading once it has what it needs (or because it failed: then
    /// its exit code says so). A failure of the feed itself (a corrupt chunk) is thrown and pg_restore killed.
    /// </summary>
    public static async Task<string> RunAsync(PgTool pgRestore, IEnumerable<string> args, PgConnectionInfo target, Func<Stream, Task>? feed, CancellationToken ct)
    {
        await using var process = ToolProcess.Start(pgRestore.Path, args, target.ToEnvironment(), feedStdin: feed is not null);
        using var stdout = new StreamReader(process.StandardOutput);
        var drain = stdout.ReadToEndAsync(ct);
        if (feed is not null)
        {
            try
            {
                await using (var stdin = process.StandardInput)
                    await feed(stdin).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // pg_restore stopped reading: it has all it needs, or it failed and its exit code says why.
            }
        }
        var output = await drain.ConfigureAwait(false);
        var exitCode = await process.WaitForExitAsync(ct).ConfigureAwait(false);
        if (exitCode != 0)
            throw new BackupToolsException(BackupErrorKind.ExternalToolFailed,
                $"pg_restore failed (exit code {exitCode}) restoring into {target.Description}: {process.StderrTail}", pgRestore.Path);
        return output;
    }

    /// <summary>Quotes a value for a libpq conninfo string.</summary>
    private static string QuoteConnValue(string value) => "'" + value.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}
