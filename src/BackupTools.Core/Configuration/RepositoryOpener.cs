using BackupTools.Core.Repository;
using BackupTools.Core.Storage;

namespace BackupTools.Core.Configuration;

/// <summary>
/// Opens a repository named the way unattended runs name it: a registered name (its location, endpoint, region and
/// key file) or a path/URI. The passphrase comes from the registration's key file, else the first of the given
/// environment variables that is set. S3 keys come from the AWS_* variables or profiles. Never prompts.
/// </summary>
public sealed class RepositoryOpener(RepositoryRegistry registry)
{
    /// <summary>
    /// Opens and unlocks <paramref name="repository"/>, writing with <paramref name="storageClass"/> when given.
    /// InvalidArgument when no passphrase is found (naming the variables tried); the caller disposes the result and its store.
    /// </summary>
    public async Task<BackupRepository> OpenAsync(string repository, IReadOnlyList<string> passphraseVariables, string? storageClass = null, CancellationToken ct = default)
    {
        var registration = registry.Find(repository);
        var location = BlobStoreFactory.Parse(registration?.Repository ?? repository, registration?.Endpoint, registration?.Region)
            .WithStorageClass(storageClass);
        var passphrase = PassphraseFor(repository, registration, passphraseVariables);
        var store = BlobStoreFactory.Open(location);
        try
        {
            return await BackupRepository.OpenAsync(store, passphrase, ct).ConfigureAwait(false);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private static string PassphraseFor(string repository, RepositoryRegistration? registration, IReadOnlyList<string> variables)
    {
        if (!string.IsNullOrEmpty(registration?.KeyFile)) return ReadKeyFile(registration.KeyFile);
        foreach (var variable in variables)
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value) return value;
        throw new BackupToolsException(BackupErrorKind.InvalidArgument,
            $"No passphrase for repository '{repository}': register it with a key file (Register-BackupRepository -KeyFile) or set ${string.Join(" or $", variables)}.",
            repository);
    }

    /// <summary>The first line of a key file; InvalidArgument naming the file when it is missing or empty.</summary>
    public static string ReadKeyFile(string path)
    {
        var firstLine = File.Exists(path) ? File.ReadLines(path).FirstOrDefault() : null;
        return string.IsNullOrEmpty(firstLine)
            ? throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"The key file '{path}' is missing or empty.", path)
            : firstLine;
    }
}
