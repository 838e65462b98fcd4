using System.Management.Automation;
using BackupTools.Core;
using BackupTools.Core.Configuration;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>Get-BackupRepository: lists the registered repositories.</summary>
[Cmdlet(VerbsCommon.Get, "BackupRepository")]
[OutputType(typeof(RegisteredRepository))]
public sealed class GetBackupRepositoryCommand : BackupCmdletBase
{
    /// <summary>Names to show; wildcards allowed. All when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var all = RunQuick(() => RepositoryRegistry.OpenDefault().List());
        if (Name is null || Name.Length == 0)
        {
            WriteObject(all.Select(OutputMapper.ToRegistered), enumerateCollection: true);
            return;
        }
        foreach (var name in Name)
        {
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var matches = all.Where(r => pattern.IsMatch(r.Name)).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                WriteEngineError(new BackupToolsException(BackupErrorKind.NotFound,
                    $"No repository named '{name}' is registered.", name));
            }
            WriteObject(matches.Select(OutputMapper.ToRegistered), enumerateCollection: true);
        }
    }

}
