using BackupTools.Core.Repository;

namespace BackupTools.Core.Reports;

/// <summary>
/// Which source a component came from: its type ("database", "storage", "config") and an identity built from the
/// component's Source description — host:port/database for a logical database, host:port for a physical cluster,
/// endpoint/bucket for storage, the paths for config. Never holds a secret (sources never do).
/// </summary>
/// <param name="Type">The component type.</param>
/// <param name="Identity">The source identity within the type.</param>
public sealed record SourceKey(string Type, string Identity)
{
    /// <summary>The source of a component.</summary>
    public static SourceKey Of(ComponentEntry component)
    {
        var source = component.Source;
        string? Get(string key) => source.TryGetValue(key, out var value) && !string.IsNullOrEmpty(value) ? value : null;
        var identity = component.Type switch
        {
            "database" when Get("host") is { } host =>
                host + (Get("port") is { } port ? ":" + port : "") + (Get("database") is { } db ? "/" + db : ""),
            "storage" => Join(Get("endpoint"), Get("bucket") ?? Get("buckets") ?? NameOrNull(component)),
            "config" => Get("paths") ?? Get("path") ?? NameOrNull(component),
            _ => NameOrNull(component),
        };
        return new SourceKey(component.Type, identity ?? "(unnamed)");
    }

    /// <summary>"database db1:5432/app".</summary>
    public override string ToString() => $"{Type} {Identity}";

    private static string? NameOrNull(ComponentEntry component) => string.IsNullOrEmpty(component.Name) ? null : component.Name;

    private static string? Join(string? first, string? second)
        => first is null ? second : second is null ? first : first.TrimEnd('/') + "/" + second;
}
