using System.Management.Automation;
using System.Net;
using System.Security;
using BackupTools.Core;
using BackupTools.Core.Configuration;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;

namespace BackupTools.Infrastructure;

/// <summary>
/// Base of the cmdlets that take -Repository: resolves it (a registered name, else a path or URI) with
/// -Endpoint, -Region and -Credential, and finds the passphrase (-Passphrase, -KeyFile, $env:BACKUPTOOLS_PASSPHRASE,
/// the registration's key file, else a prompt when interactive).
/// </summary>
public abstract class RepositoryCmdletBase : BackupCmdletBase
{
    /// <summary>The environment variable holding a passphrase for unattended runs.</summary>
    public const string PassphraseVariable = "BACKUPTOOLS_PASSPHRASE";

    private OpenedRepositories? _opened;

    /// <summary>S3 service URL for non-AWS endpoints (s3rver, MinIO, Supabase Storage).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Endpoint { get; set; }

    /// <summary>S3 region.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Region { get; set; }

    /// <summary>S3 credentials: user name = access key id, password = secret access key.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>The repository passphrase.</summary>
    [Parameter]
    public SecureString? Passphrase { get; set; }

    /// <summary>A file whose first line is the passphrase (for scheduled tasks).</summary>
    [Parameter]
    public string? KeyFile { get; set; }

    /// <summary>Resolves a -Repository value: a registered name first, else a path or URI.</summary>
    internal ResolvedRepository Resolve(string repository) => Resolve(repository, Endpoint, Region, Credential);

    /// <summary>Resolves a repository value with its own S3 endpoint, region and credential (e.g. Copy-Backup's destination).</summary>
    internal ResolvedRepository Resolve(string repository, string? endpoint, string? region, PSCredential? credential) => RunQuick(() =>
    {
        var registration = RepositoryRegistry.OpenDefault().Find(repository);
        var network = credential?.GetNetworkCredential();
        var location = BlobStoreFactory.Parse(
            registration?.Repository ?? repository,
            endpoint ?? registration?.Endpoint,
            region ?? registration?.Region,
            network?.UserName is { Length: > 0 } user ? user : null,
            network?.Password is { Length: > 0 } secret ? secret : null);
        return new ResolvedRepository(repository, location, registration);
    });

    /// <summary>
    /// Opens and unlocks a repository, once per cmdlet invocation: backups piped in from the same repository reuse it
    /// (the key derivation is deliberately slow). Errors are terminating.
    /// </summary>
    internal BackupRepository Open(ResolvedRepository repository) => Open(repository, () => ResolvePassphrase(repository.Registration));

    /// <summary>As <see cref="Open(ResolvedRepository)"/>, with the passphrase from <paramref name="passphraseSource"/> (asked only when not yet open).</summary>
    internal BackupRepository Open(ResolvedRepository repository, Func<string> passphraseSource)
        => TryGetOpened(repository, out var cached) ? cached : Remember(repository, RunEngine(OpenAsync(repository, passphraseSource())));

    /// <summary>As <see cref="Open(ResolvedRepository)"/>, but a repository that cannot be opened is a non-terminating error and false.</summary>
    internal bool TryOpen(ResolvedRepository repository, out BackupRepository opened) => TryOpen(repository, out opened, out _);

    /// <summary>As <see cref="TryOpen(ResolvedRepository, out BackupRepository)"/>, also handing back why it could not be opened.</summary>
    internal bool TryOpen(ResolvedRepository repository, out BackupRepository opened, out BackupToolsException? error)
    {
        error = null;
        if (TryGetOpened(repository, out opened)) return true;
        if (!TryRunEngine(OpenAsync(repository, ResolvePassphrase(repository.Registration)), out opened, out error)) return false;
        Remember(repository, opened);
        return true;
    }

    private bool TryGetOpened(ResolvedRepository repository, out BackupRepository opened)
    {
        _opened ??= new OpenedRepositories();
        return _opened.TryGet(repository.Location.Uri, out opened);
    }

    private BackupRepository Remember(ResolvedRepository repository, BackupRepository opened)
    {
        _opened!.Add(repository.Location.Uri, opened);
        return opened;
    }

    private static Func<IProgress<ProgressInfo>, IBackupLog, CancellationToken, Task<BackupRepository>> OpenAsync(ResolvedRepository repository, string passphrase)
        => async (_, _, ct) =>
        {
            var store = BlobStoreFactory.Open(repository.Location);
            try
            {
                return await BackupRepository.OpenAsync(store, passphrase, ct).ConfigureAwait(false);
            }
            catch
            {
                store.Dispose();
                throw;
            }
        };

    /// <inheritdoc />
    protected override void ReleaseResources() => _opened?.Dispose();

    /// <summary>
    /// The passphrase, from the first of: -Passphrase, -KeyFile, $env:BACKUPTOOLS_PASSPHRASE, the registration's
    /// key file, a prompt (interactive sessions only). InvalidArgument when there is none.
    /// </summary>
    internal string ResolvePassphrase(RepositoryRegistration? registration)
        => ResolvePassphrase(Passphrase, KeyFile, PassphraseVariable, registration, "Repository passphrase: ", "-Passphrase or -KeyFile");

    /// <summary>
    /// The passphrase from the first of: <paramref name="given"/>, <paramref name="keyFile"/>, the environment variable
    /// <paramref name="variable"/>, the registration's key file, a prompt (interactive sessions only). InvalidArgument
    /// naming <paramref name="parameters"/> when there is none.
    /// </summary>
    internal string ResolvePassphrase(SecureString? given, string? keyFile, string variable, RepositoryRegistration? registration,
        string prompt, string parameters)
    {
        if (given is not null) return Plain(given);
        if (!string.IsNullOrEmpty(keyFile)) return ReadKeyFile(keyFile);
        var fromEnvironment = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(fromEnvironment)) return fromEnvironment;
        if (!string.IsNullOrEmpty(registration?.KeyFile)) return ReadKeyFile(registration.KeyFile);
        if (CanPrompt())
        {
            Host.UI.Write(prompt);
            var typed = Host.UI.ReadLineAsSecureString();
            if (typed.Length > 0) return Plain(typed);
        }
        ThrowError(BackupErrorKind.InvalidArgument,
            $"No passphrase: pass {parameters}, or set ${variable}.", "Passphrase");
        return ""; // not reached
    }

    private string ReadKeyFile(string path)
        => RunQuick(() => RepositoryOpener.ReadKeyFile(SessionState.Path.GetUnresolvedProviderPathFromPSPath(path)));

    private bool CanPrompt()
        => Host?.UI is not null && Environment.UserInteractive && !Console.IsInputRedirected
           && !Host.Name.Equals("Default Host", StringComparison.Ordinal);

    private static string Plain(SecureString secure) => new NetworkCredential(string.Empty, secure).Password;
}

/// <summary>A -Repository value with its parsed location and, when it was a registered name, the registration.</summary>
internal sealed record ResolvedRepository(string Given, RepositoryLocation Location, RepositoryRegistration? Registration);

/// <summary>The repositories one cmdlet invocation has opened, by location; disposes them (and their stores) at the end.</summary>
internal sealed class OpenedRepositories : IDisposable
{
    private readonly Dictionary<string, BackupRepository> _byLocation = new(StringComparer.Ordinal);

    /// <summary>The repository already opened at <paramref name="location"/>, if any.</summary>
    public bool TryGet(string location, out BackupRepository repository) => _byLocation.TryGetValue(location, out repository!);

    /// <summary>Remembers an opened repository.</summary>
    public void Add(string location, BackupRepository repository) => _byLocation[location] = repository;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var repository in _byLocation.Values)
        {
            var store = repository.Store;
            repository.Dispose();
            store.Dispose();
        }
        _byLocation.Clear();
    }
}
