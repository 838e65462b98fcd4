namespace BackupTools.Testing;

/// <summary>Finds the repository's folders from wherever the harness runs (bin/Debug/net10.0 or a published folder).</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The folder holding BackupTools.sln.</summary>
    public static string Root => RootLazy.Value;

    /// <summary>tests/harness/s3: the s3rver package and its server.js.</summary>
    public static string S3Harness => Path.Combine(Root, "tests", "harness", "s3");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "BackupTools.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"No BackupTools.sln above {AppContext.BaseDirectory}: run the harness from the repository's build output.");
    }
}
