using System.Management.Automation;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>New-BackupRepository: creates an encrypted repository at a folder or s3:// location.</summary>
[Cmdlet(VerbsCommon.New, "BackupRepository", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RepositoryInfo))]
public sealed class NewBackupRepositoryCommand : RepositoryCmdletBase
{
    /// <summary>Where to create it: a folder, file:// URI or s3://bucket/prefix.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var repository = Resolve(Repository);
        if (!ShouldProcess(repository.Location.Uri, "Create backup repository")) return;
        var passphrase = ResolvePassphrase(repository.Registration);
        WriteObject(RunEngine(async (_, _, ct) =>
        {
            await BlobStoreFactory.PrepareAsync(repository.Location, ct).ConfigureAwait(false);
            using var store = BlobStoreFactory.Open(repository.Location);
            using var created = await BackupRepository.CreateAsync(store, passphrase, ct: ct).ConfigureAwait(false);
            var keyCount = 0;
            await foreach (var _ in store.ListAsync("keys/", ct).ConfigureAwait(false)) keyCount++;
            var config = await store.StatAsync("config.json", ct).ConfigureAwait(false);
            return new RepositoryInfo
            {
                Location = created.Location,
                Id = created.Id,
                Created = config?.LastModified,
                KeyCount = keyCount,
                Endpoint = repository.Location.Endpoint,
                Region = repository.Location.Region,
            };
        }));
    }
}
