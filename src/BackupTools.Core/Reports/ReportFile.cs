using System.Text;

namespace BackupTools.Core.Reports;

/// <summary>The report formats Export-BackupReport writes.</summary>
public enum ReportFormat
{
    /// <summary>One self-contained HTML page (inline CSS and SVG, no script).</summary>
    Html,
    /// <summary>The report as JSON, for other tools.</summary>
    Json,
    /// <summary>A node_exporter textfile-collector file (Prometheus text format 0.0.4).</summary>
    Prometheus,
}

/// <summary>Renders a report in a format and writes it atomically, so a reader (node_exporter) never sees half a file.</summary>
public static class ReportFile
{
    /// <summary>The report rendered in <paramref name="format"/>.</summary>
    public static string Render(BackupReport report, ReportFormat format) => format switch
    {
        ReportFormat.Html => HtmlReportWriter.Render(report),
        ReportFormat.Json => JsonReportWriter.Render(report),
        ReportFormat.Prometheus => PrometheusReportWriter.Render(report),
        _ => throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"Unknown report format {format}.", format),
    };

    /// <summary>
    /// Writes <paramref name="content"/> (UTF-8, no BOM) to a temporary file in the destination's folder, then renames
    /// it over <paramref name="path"/>. NotFound when the folder does not exist.
    /// </summary>
    public static async Task WriteAtomicallyAsync(string path, string content, CancellationToken ct = default)
    {
        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath)!;
        if (!Directory.Exists(folder))
            throw new BackupToolsException(BackupErrorKind.NotFound, $"The folder '{folder}' of the report path does not exist.", folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            await File.WriteAllTextAsync(temporary, content, new UTF8Encoding(false), ct).ConfigureAwait(false);
            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
