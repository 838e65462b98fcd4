using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using BackupTools.Completers;

namespace BackupTools.Infrastructure;

/// <summary>
/// Registers the argument completers on import: every cmdlet of the module with a -Repository parameter gets
/// <see cref="RepositoryNameCompleter"/>, every one with -Id gets <see cref="BackupIdCompleter"/>. Found by reflection,
/// so new cmdlets are covered without code of their own.
/// </summary>
internal static class CompleterRegistration
{
    /// <summary>Runs Register-ArgumentCompleter in the importing runspace; does nothing when there is none.</summary>
    public static void Register()
    {
        if (Runspace.DefaultRunspace is null) return;
        Register("Repository", typeof(RepositoryNameCompleter));
        Register("Id", typeof(BackupIdCompleter));
    }

    private static void Register(string parameterName, Type completer)
    {
        var commands = CommandsWith(parameterName);
        if (commands.Length == 0) return;
        var script = ScriptBlock.Create(
            $"param($c, $p, $w, $a, $f) [{completer.FullName}]::new().CompleteArgument($c, $p, $w, $a, $f)");
        using var shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
        shell.AddCommand("Register-ArgumentCompleter")
            .AddParameter("CommandName", commands)
            .AddParameter("ParameterName", parameterName)
            .AddParameter("ScriptBlock", script)
            .Invoke();
    }

    /// <summary>"Verb-Noun" of each cmdlet in this assembly that declares a parameter named <paramref name="parameterName"/>.</summary>
    private static string[] CommandsWith(string parameterName) => LoadableTypes()
        .Where(t => !t.IsAbstract && t.GetCustomAttribute<CmdletAttribute>() is not null)
        .Where(t => t.GetProperty(parameterName)?.GetCustomAttributes<ParameterAttribute>().Any() == true)
        .Select(t => t.GetCustomAttribute<CmdletAttribute>()!)
        .Select(a => a.VerbName + "-" + a.NounName)
        .OrderBy(n => n, StringComparer.Ordinal)
        .ToArray();

    /// <summary>The module's types; a type that cannot load is skipped rather than failing Import-Module.</summary>
    private static IEnumerable<Type> LoadableTypes()
    {
        try
        {
            return typeof(CompleterRegistration).Assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }
}
