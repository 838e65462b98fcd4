using BackupTools.Core.Recovery;

namespace BackupTools;

/// <summary>What Invoke-DisasterRecovery returns: the outcome, the objectives, and where the full report is.</summary>
public sealed class IncidentResult
{
    /// <summary>The scenario run.</summary>
    public string Scenario { get; init; } = "";
    /// <summary>True when every critical step succeeded (directly or by its fallback).</summary>
    public bool Recovered { get; init; }
    /// <summary>How long the run took (the recovery time achieved).</summary>
    public TimeSpan Duration { get; init; }
    /// <summary>The recovery-time objective from the config, if any.</summary>
    public TimeSpan? RtoTarget { get; init; }
    /// <summary>True/False when an objective was given.</summary>
    public bool? RtoMet { get; init; }
    /// <summary>Data lost: detection time minus the point the data was recovered to.</summary>
    public TimeSpan? RpoAchieved { get; init; }
    /// <summary>True/False when an objective was given.</summary>
    public bool? RpoMet { get; init; }
    /// <summary>The backups the run restored or relied on.</summary>
    public string[] BackupsUsed { get; init; } = [];
    /// <summary>Each step as "name: status (seconds)".</summary>
    public string[] Steps { get; init; } = [];
    /// <summary>The Markdown report (the JSON one is beside it).</summary>
    public string ReportPath { get; init; } = "";

    internal static IncidentResult From(IncidentReport report, string markdownPath) => new()
    {
        Scenario = report.Scenario,
        Recovered = report.Recovered,
        Duration = TimeSpan.FromSeconds(report.RtoAchievedSeconds),
        RtoTarget = report.RtoTargetSeconds is { } rto ? TimeSpan.FromSeconds(rto) : null,
        RtoMet = report.RtoMet,
        RpoAchieved = report.RpoAchievedSeconds is { } rpo ? TimeSpan.FromSeconds(Math.Round(rpo)) : null,
        RpoMet = report.RpoMet,
        BackupsUsed = report.BackupsUsed.ToArray(),
        Steps = report.Steps.Select(s => $"{s.Name}: {s.Status} ({s.DurationSeconds:0.0} s)").ToArray(),
        ReportPath = markdownPath,
    };
}

/// <summary>One step of a runbook as Invoke-DisasterRecovery -WhatIf lists it.</summary>
public sealed class RunbookPlanStep
{
    /// <summary>The step's position (1 first).</summary>
    public int Step { get; init; }
    /// <summary>What the step does.</summary>
    public string Name { get; init; } = "";
    /// <summary>True when a failure of the step (and its fallback) stops the run.</summary>
    public bool Critical { get; init; }
    /// <summary>True when the step has a fallback.</summary>
    public bool Fallback { get; init; }
}
