using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace BackupTools.Infrastructure;

/// <summary>
/// Runs when PowerShell imports the module: hooks the default load context so that the one assembly the
/// cmdlets reference from Dependencies/ (the engine) is served by <see cref="BackupToolsLoadContext"/>, and
/// unhooks on removal. This is Microsoft's documented pattern for binary modules with conflicting dependencies.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    /// <summary>The simple name of the engine assembly.</summary>
    internal const string EngineAssemblyName = "BackupTools.Core";

    private static readonly string DependencyDirectory = Path.Combine(
        Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, "Dependencies");

    private static readonly Lazy<BackupToolsLoadContext> LoadContext = new(() => new BackupToolsLoadContext(DependencyDirectory));

    /// <summary>Called by PowerShell on Import-Module: hooks the engine's load context and registers the argument completers.</summary>
    public void OnImport()
    {
        AssemblyLoadContext.Default.Resolving += ResolveEngine;
        CompleterRegistration.Register();
    }

    /// <summary>Called by PowerShell on Remove-Module.</summary>
    public void OnRemove(PSModuleInfo psModuleInfo) => AssemblyLoadContext.Default.Resolving -= ResolveEngine;

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name)
        => string.Equals(name.Name, EngineAssemblyName, StringComparison.Ordinal) ? LoadContext.Value.LoadEngine() : null;
}
