using System.Text.Json;
using System.Text.Json.Serialization;
using BackupTools.Core.Repository;
using BackupTools.Core.Wal;

namespace BackupTools.Core;

/// <summary>
/// Source-generated JSON for the types the WAL program reads (it is compiled ahead of time, where reflection-based
/// serialisation is off): config.json and the WAL archive config.
/// </summary>
[JsonSerializable(typeof(RepositoryConfig))]
[JsonSerializable(typeof(WalArchiveConfig))]
internal sealed partial class CoreJsonContext : JsonSerializerContext
{
    /// <summary>The same contract, written indented (files a person may read).</summary>
    public static CoreJsonContext Indented { get; } = new(new JsonSerializerOptions { WriteIndented = true });
}
