using BackupTools.Core;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Core.Wal;

namespace BackupTools.Wal;

/// <summary>
/// backuptools-wal push &lt;path&gt; &lt;name&gt;  (archive_command '… push "%p" "%f"')
/// backuptools-wal fetch &lt;name&gt; &lt;dest&gt; (restore_command '… fetch "%f" "%p"')
/// The repository and its key come from the WAL archive config (see <see cref="WalArchiveConfig.Locate"/>), never argv.
/// Exit codes: 0 done; 1 not archived (fetch) or refused/failed (push); 2 usage or configuration error (push);
/// 126 any error in fetch other than "not archived" — PostgreSQL aborts recovery on a code above 125 instead of
/// taking the failure for the end of the archive and promoting early.
/// </summary>
public static class Program
{
    private const int Success = 0;
    private const int Failure = 1;
    private const int UsageError = 2;
    private const int FetchError = 126;

    /// <summary>Runs one command.</summary>
    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 3 || args[0] is not ("push" or "fetch"))
        {
            await Console.Error.WriteLineAsync("usage: backuptools-wal push <path> <name> | fetch <name> <destination>");
            return UsageError;
        }
        try
        {
            var config = WalArchiveConfig.Load(WalArchiveConfig.Locate());
            using var store = BlobStoreFactory.Open(config.ToLocation());
            using var repository = await BackupRepository.OpenAsync(store, config);
            return args[0] == "push"
                ? await PushAsync(repository, args[1], args[2])
                : await FetchAsync(repository, args[1], args[2]);
        }
        catch (BackupToolsException e)
        {
            await Console.Error.WriteLineAsync($"backuptools-wal {args[0]}: {e.Message}");
            return ExitCodeFor(args[0], e.Kind is BackupErrorKind.InvalidArgument or BackupErrorKind.NotFound or BackupErrorKind.PermissionDenied);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"backuptools-wal {args[0]}: {e.Message}");
            return ExitCodeFor(args[0], usage: false);
        }
    }

    private static int ExitCodeFor(string command, bool usage) => command == "fetch" ? FetchError : usage ? UsageError : Failure;

    private static async Task<int> PushAsync(BackupRepository repository, string path, string name)
    {
        var content = await File.ReadAllBytesAsync(path);
        var stored = await repository.PushWalAsync(name, content);
        if (!stored) await Console.Error.WriteLineAsync($"backuptools-wal push: {name} is already archived with the same content.");
        return Success;
    }

    private static async Task<int> FetchAsync(BackupRepository repository, string name, string destination)
    {
        var content = await repository.FetchWalAsync(name);
        if (content is null) return Failure;
        var temp = destination + ".backuptools-tmp";
        await File.WriteAllBytesAsync(temp, content);
        File.Move(temp, destination, overwrite: true);
        return Success;
    }
}
