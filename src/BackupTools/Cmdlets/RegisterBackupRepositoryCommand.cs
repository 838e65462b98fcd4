using System.Management.Automation;
using BackupTools.Core.Configuration;
using BackupTools.Core.Storage;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>Register-BackupRepository: gives a repository location a name, kept in the user's config (no secrets).</summary>
[Cmdlet(VerbsLifecycle.Register, "BackupRepository", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(RegisteredRepository))]
public sealed class RegisterBackupRepositoryCommand : BackupCmdletBase
{
    /// <summary>The name to use with -Repository.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The location: a folder, file:// URI or s3://bucket/prefix.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    /// <summary>S3 service URL for non-AWS endpoints.</summary>
    [Parameter]
    public string? Endpoint { get; set; }

    /// <summary>S3 region.</summary>
    [Parameter]
    public string? Region { get; set; }

    /// <summary>A file whose first line is the passphrase; recorded as a path, never read here.</summary>
    [Parameter]
    public string? KeyFile { get; set; }

    /// <summary>Replace a registration of the same name.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var location = RunQuick(() => BlobStoreFactory.Parse(Repository, Endpoint, Region));
        var registration = new RepositoryRegistration
        {
            Name = Name,
            Repository = location.Uri,
            Endpoint = Endpoint,
            Region = Region,
            KeyFile = string.IsNullOrEmpty(KeyFile) ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(KeyFile),
            Registered = DateTimeOffset.Now,
        };
        var registry = RepositoryRegistry.OpenDefault();
        if (!ShouldProcess($"{Name} = {location.Uri}", $"Register backup repository in {registry.FilePath}")) return;
        RunQuick(() => { registry.Register(registration, Force); return 0; });
        WriteObject(OutputMapper.ToRegistered(registration));
    }
}
