using System.Text.Json.Serialization;
using BackupTools.Core.Crypto;

namespace BackupTools.Core.Repository;

/// <summary>
/// Source-generated JSON for what every command reads when it opens a repository (key files, manifests): the
/// serialisation code is compiled in, instead of built by reflection on first use in each process. Same contract as
/// the reflection-based default (property names from the attributes, no naming policy).
/// </summary>
[JsonSerializable(typeof(Manifest))]
[JsonSerializable(typeof(KeyFile))]
internal sealed partial class RepositoryJsonContext : JsonSerializerContext;
