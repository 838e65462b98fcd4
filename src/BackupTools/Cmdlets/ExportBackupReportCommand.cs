using System.Management.Automation;
using BackupTools.Core;
using BackupTools.Core.Reports;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>
/// Export-BackupReport: writes the status of one or more repositories as a self-contained HTML page, JSON, or a
/// Prometheus textfile for node_exporter. The file is replaced atomically (temporary file, then rename).
/// </summary>
[Cmdlet(VerbsData.Export, "BackupReport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportBackupReportCommand : StatusCmdletBase
{
    /// <summary>Html (one page a person opens), Json (for other tools) or Prometheus (node_exporter textfile).</summary>
    [Parameter(Mandatory = true)]
    public BackupReportFormat Format { get; set; }

    /// <summary>The file to write; its folder must exist. An existing file is replaced.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess(path, $"Write the {Format} backup report")) return;
        var report = new BackupReport(DateTimeOffset.UtcNow, ToolInfo.Version, ReadStatuses());
        var format = Enum.Parse<ReportFormat>(Format.ToString());
        RunEngine(async (_, _, ct) =>
        {
            await ReportFile.WriteAtomicallyAsync(path, ReportFile.Render(report, format), ct).ConfigureAwait(false);
            return path;
        });
        WriteObject(new FileInfo(path));
    }
}
