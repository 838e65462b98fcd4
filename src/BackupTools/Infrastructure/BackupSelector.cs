namespace BackupTools.Infrastructure;

/// <summary>The two ways a cmdlet names one backup: -Id with -Repository, or -InputObject from the pipeline.</summary>
internal static class BackupSelector
{
    /// <summary>Parameter set of -Id and -Repository.</summary>
    public const string ById = "ById";

    /// <summary>Parameter set of -InputObject.</summary>
    public const string ByInputObject = "ByInputObject";

    /// <summary>The backup id and the repository string, from the input object when there is one.</summary>
    public static (string Id, string Repository) Select(BackupInfo? inputObject, string id, string repository)
        => inputObject is null ? (id, repository) : (inputObject.Id, inputObject.Repository);
}
