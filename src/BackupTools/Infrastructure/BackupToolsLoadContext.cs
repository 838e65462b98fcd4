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

    /// <summary>
    /// A native library a dependency imports (libsodium, for Sodium.Core): from the folder itself, else from where the
    /// package put it for this platform, runtimes/&lt;rid&gt;/native/ (a publish without a runtime identifier keeps every
    /// platform's copy). Not found: the runtime's own search, and then the dependency's fallback (see Crypto/Argon2.cs).
    /// </summary>
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        foreach (var folder in NativeFolders())
        {
            foreach (var name in NativeFileNames(unmanagedDllName))
            {
                var path = Path.Combine(folder, name);
                if (File.Exists(path)) return LoadUnmanagedDllFromPath(path);
            }
        }
        return IntPtr.Zero;
    }

    private IEnumerable<string> NativeFolders()
    {
        yield return _dependencyDirectory;
        var rid = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier; // portable on .NET 8+: linux-x64, win-arm64, ...
        yield return Path.Combine(_dependencyDirectory, "runtimes", rid, "native");
    }

    private static IEnumerable<string> NativeFileNames(string name)
    {
        yield return name;
        if (Path.HasExtension(name)) yield break;
        if (OperatingSystem.IsWindows())
        {
            yield return name + ".dll";
        }
        else
        {
            var extension = OperatingSystem.IsMacOS() ? ".dylib" : ".so";
            yield return name + extension;
            if (!name.StartsWith("lib", StringComparison.Ordinal)) yield return "lib" + name + extension;
        }
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
