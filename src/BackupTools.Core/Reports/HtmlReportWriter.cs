using System.Globalization;
using System.Net;
using System.Text;

namespace BackupTools.Core.Reports;

/// <summary>
/// The report as one self-contained HTML page: inline CSS, inline SVG charts, no script and nothing fetched from
/// the network. Per repository: status tiles per source, size and duration over time, every backup, every
/// verification and drill, the PITR windows and the schedules ("none" where there is nothing).
/// </summary>
public static class HtmlReportWriter
{
    private const string Style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1f2937;background:#f9fafb}
        h1{margin:0 0 4px}h2{margin:32px 0 4px}h3{margin:20px 0 8px}.muted{color:#6b7280}
        .state{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600;color:#fff}
        .Healthy .state,.state.Healthy{background:#059669}.Warning .state,.state.Warning{background:#d97706}
        .Critical .state,.state.Critical{background:#dc2626}
        .tiles{display:flex;flex-wrap:wrap;gap:12px}
        .tile{background:#fff;border:1px solid #e5e7eb;border-left:6px solid #9ca3af;border-radius:8px;padding:12px 16px;min-width:300px;max-width:420px}
        .tile.Healthy{border-left-color:#059669}.tile.Warning{border-left-color:#d97706}.tile.Critical{border-left-color:#dc2626}
        .tile h4{margin:0 0 6px;word-break:break-all}.tile dl{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;margin:8px 0}
        .tile dt{color:#6b7280}.tile dd{margin:0}.reasons{margin:6px 0 0;padding-left:18px}
        .charts{display:flex;flex-wrap:wrap;gap:16px}.chart{background:#fff;border:1px solid #e5e7eb;border-radius:8px}
        table{border-collapse:collapse;background:#fff;font-size:13px}th,td{border:1px solid #e5e7eb;padding:4px 8px;text-align:left}
        th{background:#f3f4f6}td.num{text-align:right;font-variant-numeric:tabular-nums}.failed{color:#dc2626;font-weight:600}
        """;

    /// <summary>The page for <paramref name="report"/>.</summary>
    public static string Render(BackupReport report)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>BackupTools status: ").Append(report.State).Append("</title><style>").Append(Style).Append("</style></head><body>");
        html.Append("<header class=\"").Append(report.State).Append("\"><h1>Backup status <span class=\"state\" id=\"overall-state\">")
            .Append(report.State).Append("</span></h1><p class=\"muted\">Generated ").Append(Time(report.GeneratedAt))
            .Append(" by BackupTools ").Append(E(report.ToolVersion)).Append("</p></header>");
        if (report.Repositories.Count == 0) html.Append("<p>No repositories.</p>");
        foreach (var repository in report.Repositories) Repository(html, repository);
        return html.Append("</body></html>\n").ToString();
    }

    private static void Repository(StringBuilder html, RepositoryStatus repository)
    {
        html.Append("<section class=\"repository ").Append(repository.State).Append("\"><h2>").Append(E(repository.Name))
            .Append(" <span class=\"state\">").Append(repository.State).Append("</span></h2><p class=\"muted\">")
            .Append(E(repository.Location)).Append(" · RPO target ").Append(StatusCalculator.Describe(repository.RpoTarget)).Append("</p>");
        Reasons(html, repository.Reasons);

        html.Append("<h3>Sources</h3>");
        if (repository.Sources.Count == 0) html.Append("<p>none</p>");
        html.Append("<div class=\"tiles\">");
        foreach (var source in repository.Sources) Tile(html, source);
        html.Append("</div>");

        html.Append("<h3>Size and duration over time</h3><div class=\"charts\">")
            .Append(SvgChart.Render("Backup size", Series(repository, p => p.Size), ByteSize.Format))
            .Append(SvgChart.Render("Backup duration", Series(repository, p => p.Duration.TotalSeconds), Seconds))
            .Append("</div>");
        Backups(html, repository.Backups);
        Verifications(html, repository.Verifications);
        Pitr(html, repository.Sources);
        Schedules(html, repository.Schedules);
        html.Append("</section>");
    }

    private static void Tile(StringBuilder html, SourceStatus source)
    {
        var last = source.LastSuccess;
        html.Append("<div class=\"tile ").Append(source.State).Append("\" data-state=\"").Append(source.State).Append("\"><h4>")
            .Append(E(source.Source.ToString())).Append("</h4><span class=\"state\">").Append(source.State).Append("</span><dl>");
        Item(html, "Last backup", $"{Time(last.StartTime)} ({StatusCalculator.Describe(source.Age)} ago)");
        Item(html, "Backup id", last.BackupId);
        Item(html, "Size", ByteSize.Format(last.Size));
        Item(html, "Duration", Seconds(last.Duration.TotalSeconds));
        Item(html, "Backups", source.BackupCount.ToString(CultureInfo.InvariantCulture));
        Item(html, "Verified", Verification(source.LastVerification));
        Item(html, "Restore drill", Verification(source.LastDrill));
        Item(html, "PITR window", source.PitrWindow is { } w ? $"{Time(w.From)} – {Time(w.To)}" : "none");
        Item(html, "Next run", source.NextScheduledRun is { } next ? Time(next) : "none");
        html.Append("</dl>");
        Reasons(html, source.Reasons);
        html.Append("</div>");
    }

    private static void Backups(StringBuilder html, IReadOnlyList<BackupRow> backups)
    {
        html.Append("<h3>Backups (").Append(backups.Count).Append(")</h3>");
        if (backups.Count == 0) { html.Append("<p>none</p>"); return; }
        html.Append("<table class=\"backups\"><thead><tr><th>Id</th><th>Started (UTC)</th><th>Kind</th><th>Sources</th><th>Size</th>")
            .Append("<th>Added</th><th>Duration</th><th>Tags</th><th>Verification</th></tr></thead><tbody>");
        foreach (var b in backups.Reverse())
        {
            html.Append("<tr><td class=\"backup-id\">").Append(E(b.BackupId)).Append("</td><td>").Append(Time(b.StartTime))
                .Append("</td><td>").Append(E(b.Kind)).Append("</td><td>").Append(E(string.Join(", ", b.Sources)))
                .Append("</td><td class=\"num\">").Append(ByteSize.Format(b.Size)).Append("</td><td class=\"num\">").Append(ByteSize.Format(b.Added))
                .Append("</td><td class=\"num\">").Append(Seconds(b.Duration.TotalSeconds)).Append("</td><td>").Append(E(string.Join(", ", b.Tags)))
                .Append("</td><td").Append(b.Verification is { Success: false } ? " class=\"failed\"" : "").Append('>')
                .Append(E(Verification(b.Verification))).Append("</td></tr>");
        }
        html.Append("</tbody></table>");
    }

    private static void Verifications(StringBuilder html, IReadOnlyList<VerificationSummary> verifications)
    {
        html.Append("<h3>Verifications and restore drills</h3>");
        if (verifications.Count == 0) { html.Append("<p>none</p>"); return; }
        html.Append("<table class=\"verifications\"><thead><tr><th>Time (UTC)</th><th>Backup</th><th>Level</th><th>Result</th><th>Errors</th></tr></thead><tbody>");
        foreach (var v in verifications.Reverse())
        {
            html.Append("<tr><td>").Append(Time(v.Time)).Append("</td><td>").Append(E(v.BackupId)).Append("</td><td>").Append(E(v.Level))
                .Append("</td><td").Append(v.Success ? ">passed" : " class=\"failed\">FAILED").Append("</td><td>")
                .Append(E(string.Join("; ", v.Errors))).Append("</td></tr>");
        }
        html.Append("</tbody></table>");
    }

    private static void Pitr(StringBuilder html, IReadOnlyList<SourceStatus> sources)
    {
        html.Append("<h3>Point-in-time recovery</h3>");
        var windows = sources.Where(s => s.PitrWindow is not null).ToList();
        if (windows.Count == 0) { html.Append("<p>none</p>"); return; }
        html.Append("<ul>");
        foreach (var s in windows)
            html.Append("<li>").Append(E(s.Source.ToString())).Append(": ").Append(Time(s.PitrWindow!.From)).Append(" – ").Append(Time(s.PitrWindow.To)).Append("</li>");
        html.Append("</ul>");
    }

    private static void Schedules(StringBuilder html, IReadOnlyList<ScheduleStatus> schedules)
    {
        html.Append("<h3>Schedules</h3>");
        if (schedules.Count == 0) { html.Append("<p>none</p>"); return; }
        html.Append("<ul>");
        foreach (var s in schedules)
        {
            var result = s.LastRunSucceeded switch { true => "succeeded", false => "FAILED", null => "not run yet" };
            html.Append("<li>").Append(E(s.Name)).Append(": next ").Append(s.NextRun is { } n ? Time(n) : "none")
                .Append(", last run ").Append(s.LastRun is { } l ? Time(l) : "never").Append(" (").Append(result).Append(")</li>");
        }
        html.Append("</ul>");
    }

    private static void Reasons(StringBuilder html, IReadOnlyList<string> reasons)
    {
        if (reasons.Count == 0) return;
        html.Append("<ul class=\"reasons\">");
        foreach (var reason in reasons) html.Append("<li>").Append(E(reason)).Append("</li>");
        html.Append("</ul>");
    }

    private static void Item(StringBuilder html, string name, string value)
        => html.Append("<dt>").Append(E(name)).Append("</dt><dd>").Append(E(value)).Append("</dd>");

    private static IReadOnlyList<ChartSeries> Series(RepositoryStatus repository, Func<BackupPoint, double> value)
        => repository.Sources.Select(s => new ChartSeries(s.Source.ToString(), s.Trend.Select(p => (p.StartTime, value(p))).ToList())).ToList();

    private static string Verification(VerificationSummary? v)
        => v is null ? "none" : $"{v.Level} {(v.Success ? "passed" : "FAILED")} {Time(v.Time)}"
            + (v.Duration is { } d ? $" ({Seconds(d.TotalSeconds)})" : "");

    private static string Seconds(double seconds) => seconds < 120
        ? seconds.ToString("0.#", CultureInfo.InvariantCulture) + " s"
        : StatusCalculator.Describe(TimeSpan.FromSeconds(seconds));

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
