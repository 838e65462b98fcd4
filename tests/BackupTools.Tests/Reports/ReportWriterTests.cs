using System.Text.Json;
using System.Text.RegularExpressions;
using BackupTools.Core;
using BackupTools.Core.Reports;
using Xunit;
using static BackupTools.Tests.Reports.ReportFixtures;

namespace BackupTools.Tests.Reports;

public class ReportWriterTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    /// <summary>A repository with a stale source (Critical) and a healthy one.</summary>
    private static BackupReport MixedReport(out string[] backupIds)
    {
        var stale = Backup(30 * Hour, Database(database: "stale"), verified: true);
        var fresh1 = Backup(5 * Hour, Database(database: "fresh"), verified: true);
        var fresh2 = Backup(Hour, Database(database: "fresh", size: 1500), verified: true, seconds: 90);
        backupIds = new[] { stale.Id, fresh1.Id, fresh2.Id };
        return Report(Status(stale, fresh1, fresh2));
    }

    [Fact]
    public void Prometheus_marks_the_stale_source_critical_with_help_and_type_per_family()
    {
        var text = PrometheusReportWriter.Render(MixedReport(out _));
        Assert.Contains("backuptools_status{repository=\"main\",type=\"database\",source=\"db1:5432/stale\"} 2\n", text);
        Assert.Contains("backuptools_status{repository=\"main\",type=\"database\",source=\"db1:5432/fresh\"} 0\n", text);
        Assert.Contains("backuptools_repository_status{repository=\"main\"} 2\n", text);
        Assert.Contains("backuptools_backup_age_seconds{repository=\"main\",type=\"database\",source=\"db1:5432/stale\"} 108000\n", text);
        Assert.Contains("backuptools_last_backup_size_bytes{repository=\"main\",type=\"database\",source=\"db1:5432/fresh\"} 1500\n", text);
        var expectedStart = (Now - Hour).ToUnixTimeSeconds();
        Assert.Contains($"backuptools_last_success_timestamp_seconds{{repository=\"main\",type=\"database\",source=\"db1:5432/fresh\"}} {expectedStart}\n", text);
        Assert.DoesNotContain("backuptools_pitr_window", text.Split('\n').Where(l => !l.StartsWith('#')).Aggregate("", (a, l) => a + l + "\n"));

        var lines = text.TrimEnd('\n').Split('\n');
        var sample = new Regex("""^[a-z_]+(\{([a-z_]+="([^"\\\n]|\\.)*",?)*\})? -?[0-9.eE+-]+$""");
        foreach (var line in lines.Where(l => !l.StartsWith('#'))) Assert.Matches(sample, line);
        var families = lines.Where(l => l.StartsWith("# TYPE ")).Select(l => l.Split(' ')[2]).ToList();
        Assert.Equal(families.Count, families.Distinct().Count());
        foreach (var family in families)
        {
            Assert.Single(lines, l => l.StartsWith($"# HELP {family} "));
            Assert.Contains($"# TYPE {family} gauge", lines);
        }
        Assert.All(lines.Where(l => !l.StartsWith('#')), l => Assert.Contains(families, f => l.StartsWith(f + "{") || l.StartsWith(f + " ")));
    }

    [Fact]
    public void Prometheus_escapes_label_values()
    {
        var status = Status(Backup(Hour, Database(database: "we\"ird\\name\nx"), verified: true));
        var text = PrometheusReportWriter.Render(Report(status));
        Assert.Contains("source=\"db1:5432/we\\\"ird\\\\name\\nx\"", text);
    }

    [Fact]
    public void Html_is_self_contained_lists_every_backup_and_shows_critical()
    {
        var html = HtmlReportWriter.Render(MixedReport(out var ids));
        foreach (var id in ids) Assert.Contains($"<td class=\"backup-id\">{id}</td>", html);
        Assert.Contains("<div class=\"tile Critical\" data-state=\"Critical\"><h4>database db1:5432/stale</h4>", html);
        Assert.Contains("<div class=\"tile Healthy\" data-state=\"Healthy\"><h4>database db1:5432/fresh</h4>", html);
        Assert.Contains("id=\"overall-state\">Critical<", html);
        Assert.Contains("<svg", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(new Regex("(src|href)\\s*=", RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new Regex("https?://(?!www\\.w3\\.org/2000/svg)"), html);
        Assert.Contains("<h3>Point-in-time recovery</h3><p>none</p>", html);
        Assert.Contains("<h3>Schedules</h3><p>none</p>", html);
    }

    [Fact]
    public void Html_encodes_what_it_shows()
    {
        var html = HtmlReportWriter.Render(Report(Status(Backup(Hour, Database(database: "<img onerror=x>"), verified: true))));
        Assert.DoesNotContain("<img", html);
        Assert.Contains("&lt;img onerror=x&gt;", html);
    }

    [Fact]
    public void Json_holds_the_same_data_with_states_as_names_and_seconds()
    {
        using var json = JsonDocument.Parse(JsonReportWriter.Render(MixedReport(out var ids)));
        Assert.Equal("Critical", json.RootElement.GetProperty("state").GetString());
        var repository = json.RootElement.GetProperty("repositories")[0];
        Assert.Equal("Critical", repository.GetProperty("state").GetString());
        Assert.Equal(86400, repository.GetProperty("rpoTarget").GetDouble());
        var stale = repository.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("source").GetProperty("identity").GetString() == "db1:5432/stale");
        Assert.Equal("Critical", stale.GetProperty("state").GetString());
        Assert.Equal(108000, stale.GetProperty("age").GetDouble());
        Assert.Equal(ids, repository.GetProperty("backups").EnumerateArray().Select(b => b.GetProperty("backupId").GetString()));
    }

    [Fact]
    public void Charts_draw_one_line_per_source_and_say_when_there_is_no_data()
    {
        var svg = SvgChart.Render("size", new[]
        {
            new ChartSeries("a", new[] { (Now - Hour, 1.0), (Now, 2.0) }),
            new ChartSeries("b", new[] { (Now, 3.0) }),
        }, v => v.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, Regex.Matches(svg, "<polyline").Count);
        Assert.Equal(3, Regex.Matches(svg, "<circle").Count);
        Assert.Contains("no data", SvgChart.Render("size", Array.Empty<ChartSeries>(), v => ""));
    }

    [Fact]
    public async Task Report_files_are_replaced_whole_and_leave_no_temporary_file()
    {
        var folder = Directory.CreateTempSubdirectory("bt-report-").FullName;
        try
        {
            var path = Path.Combine(folder, "backuptools.prom");
            await File.WriteAllTextAsync(path, "old content that is longer than the new one");
            await ReportFile.WriteAtomicallyAsync(path, "new\n");
            Assert.Equal("new\n", await File.ReadAllTextAsync(path));
            Assert.Equal(new[] { path }, Directory.GetFiles(folder));

            var missing = Path.Combine(folder, "no-such-folder", "r.html");
            var e = await Assert.ThrowsAsync<BackupToolsException>(() => ReportFile.WriteAtomicallyAsync(missing, "x"));
            Assert.Equal(BackupErrorKind.NotFound, e.Kind);
            Assert.Contains("no-such-folder", e.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
