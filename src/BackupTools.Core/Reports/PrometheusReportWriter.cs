using System.Globalization;
using System.Text;

namespace BackupTools.Core.Reports;

/// <summary>
/// The report as a node_exporter textfile-collector file (Prometheus text format 0.0.4): one HELP and TYPE line per
/// metric family, base units (seconds, bytes), labels repository/type/source. backuptools_status is 0 healthy,
/// 1 warning, 2 critical.
/// </summary>
public static class PrometheusReportWriter
{
    private sealed record Family(string Name, string Help, Func<SourceStatus, double?> Value);

    private static readonly Family[] SourceFamilies =
    {
        new("backuptools_status", "Health of the source: 0 healthy, 1 warning, 2 critical.", s => (int)s.State),
        new("backuptools_last_success_timestamp_seconds", "Start time of the newest backup of the source (Unix seconds).",
            s => s.LastSuccess.StartTime.ToUnixTimeMilliseconds() / 1000.0),
        new("backuptools_backup_age_seconds", "Age of the newest backup of the source.", s => s.Age.TotalSeconds),
        new("backuptools_last_backup_size_bytes", "Plaintext bytes of the source in its newest backup.", s => s.LastSuccess.Size),
        new("backuptools_last_backup_added_bytes", "Sealed bytes the newest backup added to the repository.", s => s.LastSuccess.Added),
        new("backuptools_last_backup_duration_seconds", "How long the newest backup of the source took.", s => s.LastSuccess.Duration.TotalSeconds),
        new("backuptools_backups", "Backups of the source in the repository.", s => s.BackupCount),
        new("backuptools_last_verification_success", "1 when the latest verification passed, 0 when it failed (absent when never verified).",
            s => s.LastVerification is null ? null : s.LastVerification.Success ? 1 : 0),
        new("backuptools_last_verification_timestamp_seconds", "Time of the latest verification (Unix seconds).",
            s => s.LastVerification?.Time.ToUnixTimeMilliseconds() / 1000.0),
        new("backuptools_last_drill_success", "1 when the latest restore drill passed, 0 when it failed (absent when none ran).",
            s => s.LastDrill is null ? null : s.LastDrill.Success ? 1 : 0),
        new("backuptools_last_drill_recovery_seconds", "Recovery time the latest restore drill measured.", s => s.LastDrill?.Duration?.TotalSeconds),
        new("backuptools_pitr_window_start_timestamp_seconds", "Earliest point-in-time recovery target (Unix seconds).",
            s => s.PitrWindow?.From.ToUnixTimeMilliseconds() / 1000.0),
        new("backuptools_pitr_window_end_timestamp_seconds", "Latest point-in-time recovery target (Unix seconds).",
            s => s.PitrWindow?.To.ToUnixTimeMilliseconds() / 1000.0),
        new("backuptools_next_scheduled_run_timestamp_seconds", "Next scheduled run covering the source (Unix seconds).",
            s => s.NextScheduledRun?.ToUnixTimeMilliseconds() / 1000.0),
    };

    /// <summary>The textfile content for <paramref name="report"/>.</summary>
    public static string Render(BackupReport report)
    {
        var text = new StringBuilder();
        Header(text, "backuptools_repository_status", "Worst health of the repository and its sources: 0 healthy, 1 warning, 2 critical.");
        foreach (var repository in report.Repositories)
            Sample(text, "backuptools_repository_status", Labels(("repository", repository.Name)), (int)repository.State);
        Header(text, "backuptools_rpo_target_seconds", "The RPO target the status was judged by.");
        foreach (var repository in report.Repositories)
            Sample(text, "backuptools_rpo_target_seconds", Labels(("repository", repository.Name)), repository.RpoTarget.TotalSeconds);
        foreach (var family in SourceFamilies)
        {
            Header(text, family.Name, family.Help);
            foreach (var repository in report.Repositories)
            {
                foreach (var source in repository.Sources)
                {
                    if (family.Value(source) is not { } value) continue;
                    Sample(text, family.Name, Labels(("repository", repository.Name), ("type", source.Source.Type), ("source", source.Source.Identity)), value);
                }
            }
        }
        Header(text, "backuptools_report_timestamp_seconds", "When the report was computed (Unix seconds).");
        Sample(text, "backuptools_report_timestamp_seconds", "", report.GeneratedAt.ToUnixTimeMilliseconds() / 1000.0);
        return text.ToString();
    }

    private static void Header(StringBuilder text, string name, string help)
        => text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(" gauge\n");

    private static void Sample(StringBuilder text, string name, string labels, double value)
        => text.Append(name).Append(labels).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');

    /// <summary>{a="x",b="y"} with backslash, double quote and newline escaped as the format requires.</summary>
    private static string Labels(params (string Name, string Value)[] labels)
        => "{" + string.Join(",", labels.Select(l => $"{l.Name}=\"{Escape(l.Value)}\"")) + "}";

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}
