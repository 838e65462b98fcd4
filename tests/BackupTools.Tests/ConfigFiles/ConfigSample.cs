using System.Security.Cryptography;
using System.Text;
using BackupTools.Tests.Format;

namespace BackupTools.Tests.ConfigFiles;

/// <summary>
/// A self-hosted-Supabase-shaped configuration tree in a throwaway folder: nested folders, an empty folder, an .env
/// holding a secret (mode 0600), a binary file of several chunks, an empty file, an executable script, a link to a
/// file and a link to a folder (both inside the tree), every time set to a distinct past moment. Deleted on dispose.
/// </summary>
internal sealed class ConfigSample : IDisposable
{
    /// <summary>The secret in docker/.env; it must never show in the repository's bytes.</summary>
    public const string Secret = "JWT_SECRET=cfg-secret-5be1c0d27a9e4f3b";

    public ConfigSample()
    {
        Folder = Path.Combine(Path.GetTempPath(), "bt-config-" + Guid.NewGuid().ToString("N"));
        Docker = Path.Combine(Folder, "src", "docker");
        OtherDocker = Path.Combine(Folder, "other", "docker");
        var when = new DateTime(2024, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        File(Docker, ".env", $"POSTGRES_PASSWORD=not-in-argv\n{Secret}\nSITE_URL=http://localhost:3000\n", "0600", when.AddMinutes(1));
        File(Docker, "docker-compose.yml", "services:\n  db:\n    image: supabase/postgres:15.8.1.060\n", "0644", when.AddMinutes(2));
        File(Docker, "volumes/api/kong.yml", "_format_version: '2.1'\nservices: []\n", "0644", when.AddMinutes(3));
        Bytes(Docker, "certs/server.bin", TestData.Random(300_000, 7), "0640", when.AddMinutes(4));
        File(Docker, "scripts/run.sh", "#!/bin/sh\necho hi\n", "0755", when.AddMinutes(5));
        File(Docker, "empty.txt", "", "0644", when.AddMinutes(6));
        Directory.CreateDirectory(Path.Combine(Docker, "volumes/db/init"));
        System.IO.File.CreateSymbolicLink(Path.Combine(Docker, "kong-link.yml"), "volumes/api/kong.yml");
        System.IO.File.CreateSymbolicLink(Path.Combine(Docker, "volumes/current"), "api");
        File(OtherDocker, "notes.txt", "the other docker folder\n", "0644", when.AddMinutes(7));
        SetFolderTimes(Docker, when.AddDays(-1));
        SetFolderTimes(OtherDocker, when.AddDays(-2));
        if (!OperatingSystem.IsWindows()) System.IO.File.SetUnixFileMode(Path.Combine(Docker, "volumes/db/init"), ParseMode("0750"));
    }

    /// <summary>The throwaway folder holding everything.</summary>
    public string Folder { get; }
    /// <summary>The main tree (root name "docker").</summary>
    public string Docker { get; }
    /// <summary>A second folder with the same leaf name (root name "docker-2").</summary>
    public string OtherDocker { get; }

    /// <summary>A new path under the throwaway folder (not created).</summary>
    public string NewPath(string name) => Path.Combine(Folder, name + "-" + Guid.NewGuid().ToString("N")[..6]);

    /// <summary>
    /// Every object below <paramref name="root"/> without following links, one line each:
    /// "path type mode modified sha256" for files, "path directory mode modified", "path symlink -> target".
    /// </summary>
    public static IReadOnlyList<string> Listing(string root)
    {
        var lines = new List<string>();
        void Walk(string folder)
        {
            foreach (var path in Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal))
            {
                var name = Path.GetRelativePath(root, path).Replace('\\', '/');
                var info = new FileInfo(path);
                if (info.LinkTarget is { } target) { lines.Add($"{name} symlink -> {target}"); continue; }
                var isFolder = Directory.Exists(path);
                var mode = OperatingSystem.IsWindows() ? "" : Convert.ToString((int)System.IO.File.GetUnixFileMode(path), 8);
                var modified = (isFolder ? Directory.GetLastWriteTimeUtc(path) : info.LastWriteTimeUtc).ToString("O");
                if (isFolder)
                {
                    lines.Add($"{name} directory {mode} {modified}");
                    Walk(path);
                }
                else
                {
                    lines.Add($"{name} file {mode} {modified} {Convert.ToHexString(SHA256.HashData(System.IO.File.ReadAllBytes(path)))}");
                }
            }
        }
        Walk(root);
        return lines;
    }

    private static void File(string root, string relative, string text, string mode, DateTime modified)
        => Bytes(root, relative, Encoding.UTF8.GetBytes(text), mode, modified);

    private static void Bytes(string root, string relative, byte[] content, string mode, DateTime modified)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, content);
        if (!OperatingSystem.IsWindows()) System.IO.File.SetUnixFileMode(path, ParseMode(mode));
        System.IO.File.SetLastWriteTimeUtc(path, modified);
    }

    /// <summary>Gives every folder under (and including) <paramref name="root"/> a distinct time, deepest first.</summary>
    private static void SetFolderTimes(string root, DateTime start)
    {
        var folders = Directory.GetDirectories(root, "*", SearchOption.AllDirectories).Where(f => new FileInfo(f).LinkTarget is null)
            .OrderByDescending(f => f.Length).Append(root).ToList();
        for (var i = 0; i < folders.Count; i++) Directory.SetLastWriteTimeUtc(folders[i], start.AddHours(i));
    }

    private static UnixFileMode ParseMode(string octal) => (UnixFileMode)Convert.ToInt32(octal, 8);

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
