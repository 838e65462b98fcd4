using System.Text.Json;
using System.Text.Json.Serialization;

namespace BackupTools.Core.Reports;

/// <summary>The report as indented JSON: camelCase names, states as strings, durations in seconds.</summary>
public static class JsonReportWriter
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(), new SecondsConverter() },
    };

    /// <summary>The JSON text of <paramref name="report"/> (its overall state included).</summary>
    public static string Render(BackupReport report) => JsonSerializer.Serialize(report, Options);

    /// <summary>TimeSpan as a number of seconds, which every tool reads.</summary>
    private sealed class SecondsConverter : JsonConverter<TimeSpan>
    {
        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => TimeSpan.FromSeconds(reader.GetDouble());

        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options)
            => writer.WriteNumberValue(Math.Round(value.TotalSeconds, 3));
    }
}
