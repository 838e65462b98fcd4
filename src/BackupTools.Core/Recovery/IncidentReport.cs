using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BackupTools.Core.Recovery;

/// <summary>How a runbook step ended.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StepStatus>))]
public enum StepStatus
{
    /// <summary>The step did what it should.</summary>
    Succeeded,
    /// <summary>The step failed and its fallback did the job.</summary>
    RecoveredByFallback,
    /// <summary>The step (and its fallback, if any) failed.</summary>
    Failed,
    /// <summary>Not run: an earlier critical step failed.</summary>
    Skipped,
}

/// <summary>One step of a disaster-recovery run.</summary>
public sealed class IncidentStep
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("critical")] public bool Critical { get; set; }
    [JsonPropertyName("status")] public StepStatus Status { get; set; }
    [JsonPropertyName("started")] public DateTimeOffset? Started { get; set; }
    [JsonPropertyName("durationSeconds")] public double DurationSeconds { get; set; }
    /// <summary>What the step reported (its output as text).</summary>
    [JsonPropertyName("detail")] public string? Detail { get; set; }
    /// <summary>Why it failed (and why its fallback failed).</summary>
    [JsonPropertyName("errors")] public List<string> Errors { get; set; } = new();
}

/// <summary>
/// The record of one disaster-recovery run (Invoke-DisasterRecovery): scenario, steps with timings, backups used,
/// outcome, and the recovery time and recovery point achieved against their objectives. Written as Markdown for
/// people and JSON for tools; it never holds a secret (steps report ids, names and counts, not connection strings).
/// </summary>
public sealed class IncidentReport
{
    [JsonPropertyName("scenario")] public string Scenario { get; set; } = "";
    [JsonPropertyName("host")] public string Host { get; set; } = Environment.MachineName;
    [JsonPropertyName("started")] public DateTimeOffset Started { get; set; }
    [JsonPropertyName("finished")] public DateTimeOffset Finished { get; set; }
    /// <summary>When the incident was detected (the config's DetectedAt, else the start of the run).</summary>
    [JsonPropertyName("detectedAt")] public DateTimeOffset DetectedAt { get; set; }
    [JsonPropertyName("recovered")] public bool Recovered { get; set; }
    [JsonPropertyName("steps")] public List<IncidentStep> Steps { get; set; } = new();
    [JsonPropertyName("backupsUsed")] public List<string> BackupsUsed { get; set; } = new();
    /// <summary>The time the restored data is from (the start of the backup restored, or the PITR target reached).</summary>
    [JsonPropertyName("recoveryPoint")] public DateTimeOffset? RecoveryPoint { get; set; }
    [JsonPropertyName("rtoTargetSeconds")] public double? RtoTargetSeconds { get; set; }
    [JsonPropertyName("rpoTargetSeconds")] public double? RpoTargetSeconds { get; set; }

    /// <summary>Recovery time achieved: from the start of the run to its end.</summary>
    [JsonPropertyName("rtoAchievedSeconds")] public double RtoAchievedSeconds => (Finished - Started).TotalSeconds;

    /// <summary>Recovery point achieved: how much time of data is lost (detection minus the recovery point).</summary>
    [JsonPropertyName("rpoAchievedSeconds")] public double? RpoAchievedSeconds => RecoveryPoint is { } point ? Math.Max(0, (DetectedAt - point).TotalSeconds) : null;

    [JsonPropertyName("rtoMet")] public bool? RtoMet => RtoTargetSeconds is { } target ? RtoAchievedSeconds <= target : null;
    [JsonPropertyName("rpoMet")] public bool? RpoMet => RpoTargetSeconds is { } target && RpoAchievedSeconds is { } achieved ? achieved <= target : null;

    /// <summary>The report as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true });

    /// <summary>The report as a Markdown page.</summary>
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        md.AppendLine(c, $"# Incident report: {Scenario}").AppendLine();
        md.AppendLine(c, $"**Outcome: {(Recovered ? "RECOVERED" : "NOT RECOVERED")}**").AppendLine();
        md.AppendLine("| | |").AppendLine("|---|---|");
        md.AppendLine(c, $"| Host | {Host} |");
        md.AppendLine(c, $"| Detected | {DetectedAt:u} |");
        md.AppendLine(c, $"| Run | {Started:u} to {Finished:u} |");
        md.AppendLine(c, $"| Recovery time (RTO) achieved | {Duration(RtoAchievedSeconds)}{Against(RtoTargetSeconds, RtoMet)} |");
        md.AppendLine(c, $"| Recovery point | {(RecoveryPoint is { } p ? p.ToString("u", c) : "none")} |");
        md.AppendLine(c, $"| Data lost (RPO) achieved | {(RpoAchievedSeconds is { } r ? Duration(r) : "unknown")}{Against(RpoTargetSeconds, RpoMet)} |");
        md.AppendLine(c, $"| Backups used | {(BackupsUsed.Count == 0 ? "none" : string.Join(", ", BackupsUsed))} |").AppendLine();
        md.AppendLine("## Steps").AppendLine();
        md.AppendLine("| # | Step | Critical | Status | Duration | Detail |").AppendLine("|---|---|---|---|---|---|");
        for (var i = 0; i < Steps.Count; i++)
        {
            var s = Steps[i];
            var detail = string.Join("<br>", new[] { s.Detail }.Concat(s.Errors.Select(e => "Error: " + e)).Where(t => !string.IsNullOrWhiteSpace(t)));
            md.AppendLine(c, $"| {i + 1} | {Cell(s.Name)} | {(s.Critical ? "yes" : "no")} | {s.Status} | {Duration(s.DurationSeconds)} | {Cell(detail)} |");
        }
        return md.ToString();
    }

    /// <summary>Writes incident-&lt;scenario&gt;-&lt;time&gt;.md and .json into <paramref name="folder"/>; returns the Markdown path.</summary>
    public string WriteTo(string folder)
    {
        Directory.CreateDirectory(folder);
        var stem = Path.Combine(folder, $"incident-{Scenario}-{Started.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}");
        File.WriteAllText(stem + ".json", ToJson());
        File.WriteAllText(stem + ".md", ToMarkdown());
        return stem + ".md";
    }

    private static string Against(double? target, bool? met)
        => target is { } t ? $" (objective {Duration(t)}: {(met == true ? "met" : met == false ? "MISSED" : "unknown")})" : "";

    private static string Duration(double seconds)
        => seconds < 120 ? seconds.ToString("0.0 s", CultureInfo.InvariantCulture) : TimeSpan.FromSeconds(Math.Round(seconds)).ToString("c", CultureInfo.InvariantCulture);

    private static string Cell(string? text) => (text ?? "").Replace("|", "\\|").Replace("\r", "").Replace("\n", "<br>");
}
