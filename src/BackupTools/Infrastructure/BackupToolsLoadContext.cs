using System.Reflection;
using System.Runtime.Loader;

namespace BackupTools.Infrastructure;

/// <summary>
/// The private load context holding the engine (BackupTools.Core) and every third-party assembly it needs
/// (Npgsql, AWSSDK, Polly, ...), all from the module's Dependencies/ folder. Another module's copy of, say,
/// AWSSDK.Core in the default context therefore never meets ours.
/// </summary>
internal sealed class BackupToolsLoadContext : AssemblyLoadContext
{
    private readonly string _dependencyDirectory;
    private readonly string _runtimeDirectory = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();

    /// <summary>Creates the context over <paramref name="dependencyDirectory"/>.</summary>
    public BackupToolsLoadContext(string dependencyDirectory) : base("BackupTools", isCollectible: false)
    {
        _dependencyDirectory = dependencyDirectory;
    }

    /// <summary>Loads the engine assembly from the dependency folder.</summary>
    public Assembly LoadEngine() => LoadFromAssemblyName(new AssemblyName(ModuleInitializer.EngineAssemblyName));

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = Path.Combine(_dependencyDirectory, assemblyName.Name + ".dll");
        if (!File.Exists(path) || FrameworkSatisfies(assemblyName))
        {
            return null; // the default context (the shared framework) supplies it
        }
        return LoadFromAssemblyPath(path);
    }

    /// <inheritdoc />
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = Path.Combine(_dependencyDirectory, unmanagedDllName);
        return File.Exists(path) ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }

    /// <summary>
    /// True when the shared framework already ships the assembly at the requested version or later; framework
    /// assemblies must stay unique in the process, so a package copy of one (System.IO.Hashing aside) is not loaded.
    /// </summary>
    private bool FrameworkSatisfies(AssemblyName requested)
    {
        var frameworkPath = Path.Combine(_runtimeDirectory, requested.Name + ".dll");
        if (!File.Exists(frameworkPath))
        {
            return false;
        }
        var frameworkVersion = AssemblyName.GetAssemblyName(frameworkPath).Version;
        return requested.Version is null || frameworkVersion >= requested.Version;
    }
}
