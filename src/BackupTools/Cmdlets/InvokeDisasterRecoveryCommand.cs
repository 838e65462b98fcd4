using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using BackupTools.Core;
using BackupTools.Core.Recovery;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>
/// Invoke-DisasterRecovery: runs the runbook of a scenario from runbooks/ step by step — critical steps stop the run
/// when they and their fallback fail, other failures are recorded and the run goes on — and writes an incident report
/// (Markdown and JSON). Under -WhatIf it shows the plan and runs nothing.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "DisasterRecovery", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(IncidentResult), typeof(RunbookPlanStep))]
public sealed class InvokeDisasterRecoveryCommand : BackupCmdletBase
{
    /// <summary>The scenario whose runbook to run.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateSet("DataCorruption", "Ransomware", "HardwareFailure", "RegionOutage")]
    public string Scenario { get; set; } = "";

    /// <summary>The recovery config: a JSON or .psd1 file naming repositories, databases, storage and objectives (no secrets).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Config { get; set; } = "";

    /// <summary>Folder for the incident report files; default the current folder.</summary>
    [Parameter]
    public string? ReportPath { get; set; }

    /// <summary>Folder holding the runbooks; default the runbooks/ folder shipped with the module.</summary>
    [Parameter]
    public string? RunbookPath { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var configPath = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Config);
        var settings = LoadConfig(configPath);
        RunQuick(() => { RecoveryConfig.Validate(settings, configPath); return true; });
        var steps = LoadRunbook(settings);

        var configTable = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in settings) configTable[key] = value;
        if (!ShouldProcess($"{Scenario} runbook ({steps.Count} steps) with {configPath}", "Run the disaster-recovery runbook"))
        {
            // The plan: what would run, in order.
            WriteObject(steps.Select((step, i) => new RunbookPlanStep
            {
                Step = i + 1, Name = step.Name, Critical = step.Critical, Fallback = step.Fallback is not null,
            }), enumerateCollection: true);
            return;
        }
        var report = Run(steps, configTable, settings);
        var folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(ReportPath ?? ".");
        var markdown = report.WriteTo(folder);
        WriteObject(IncidentResult.From(report, markdown));
        if (!report.Recovered)
            WriteEngineError(new BackupToolsException(BackupErrorKind.InvalidOperation,
                $"The {Scenario} runbook did not recover the system; see {markdown}.", markdown));
    }

    private IncidentReport Run(List<RunbookStep> steps, Hashtable config, IReadOnlyDictionary<string, object?> settings)
    {
        var state = new Hashtable(StringComparer.OrdinalIgnoreCase) { ["BackupsUsed"] = new ArrayList() };
        var report = new IncidentReport
        {
            Scenario = Scenario,
            Started = DateTimeOffset.UtcNow,
            RtoTargetSeconds = Duration(settings, "RtoTarget")?.TotalSeconds,
            RpoTargetSeconds = Duration(settings, "RpoTarget")?.TotalSeconds,
        };
        report.DetectedAt = settings.TryGetValue("DetectedAt", out var detected) && detected is not null
            ? LanguagePrimitives.ConvertTo<DateTimeOffset>(detected) : report.Started;
        config["DetectedAt"] = report.DetectedAt;
        var stopped = false;
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var entry = new IncidentStep { Name = step.Name, Critical = step.Critical };
            report.Steps.Add(entry);
            if (stopped)
            {
                entry.Status = StepStatus.Skipped;
                continue;
            }
            WriteProgress(new ProgressRecord(1, $"{Scenario} runbook", $"Step {i + 1} of {steps.Count}: {step.Name}") { PercentComplete = 100 * i / steps.Count });
            entry.Started = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            entry.Status = TryStep(step.Action, config, state, entry) ? StepStatus.Succeeded
                : step.Fallback is not null && TryStep(step.Fallback, config, state, entry) ? StepStatus.RecoveredByFallback
                : StepStatus.Failed;
            entry.DurationSeconds = clock.Elapsed.TotalSeconds;
            WriteVerbose($"{step.Name}: {entry.Status} ({entry.DurationSeconds:0.0} s)");
            if (entry.Status == StepStatus.Failed && step.Critical) stopped = true;
        }
        WriteProgress(new ProgressRecord(1, $"{Scenario} runbook", "Done") { RecordType = ProgressRecordType.Completed });
        report.Finished = DateTimeOffset.UtcNow;
        report.Recovered = !stopped && report.Steps.All(s => s.Status != StepStatus.Failed || !s.Critical);
        report.BackupsUsed = ((IEnumerable)state["BackupsUsed"]!).Cast<object>().Select(o => o.ToString()!).Distinct().ToList();
        if (state["RecoveryPoint"] is { } point) report.RecoveryPoint = LanguagePrimitives.ConvertTo<DateTimeOffset>(point);
        return report;
    }

    /// <summary>Runs one step's script block with $ErrorActionPreference = 'Stop'; its output becomes the step's detail.</summary>
    private bool TryStep(ScriptBlock action, Hashtable config, Hashtable state, IncidentStep entry)
    {
        try
        {
            var output = StepRunner.Invoke(action, _supportScript, config, state);
            var text = string.Join("; ", output.Where(o => o is not null).Select(o => o.BaseObject?.ToString()).Where(t => !string.IsNullOrWhiteSpace(t)));
            entry.Detail = string.IsNullOrEmpty(entry.Detail) ? text : entry.Detail + "; fallback: " + text;
            return true;
        }
        catch (RuntimeException e)
        {
            entry.Errors.Add(e.Message);
            return false;
        }
    }

    /// <summary>Runs a step in a scope where the runbooks' support functions are defined and errors stop the step.</summary>
    private static readonly ScriptBlock StepRunner = ScriptBlock.Create("""
        param($__action, $__support, $Config, $State)
        $ErrorActionPreference = 'Stop'
        $ConfirmPreference = 'None'
        if ($__support) { . $__support }
        & $__action $Config $State
        """);

    private static TimeSpan? Duration(IReadOnlyDictionary<string, object?> settings, string key)
        => settings.TryGetValue(key, out var value) && value is not null ? RecoveryConfig.ParseDuration(value) : null;

    /// <summary>A .psd1 through Import-PowerShellDataFile (data only, no code runs), anything else as JSON.</summary>
    private IReadOnlyDictionary<string, object?> LoadConfig(string path)
    {
        if (!File.Exists(path)) ThrowError(BackupErrorKind.NotFound, $"The recovery config '{path}' does not exist.", path);
        if (!path.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase)) return RunQuick(() => RecoveryConfig.ReadJson(path));
        var data = (Hashtable)InvokeCommand.InvokeScript("param($p) Import-PowerShellDataFile -LiteralPath $p", false, PipelineResultTypes.None, null, path)[0].BaseObject;
        return data.Keys.Cast<object>().ToDictionary(k => k.ToString()!, k => data[k] is PSObject p ? p.BaseObject : data[k], StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Runs runbooks/&lt;Scenario&gt;.ps1, which returns its steps as hashtables: Name, Critical, Action, Fallback.</summary>
    private List<RunbookStep> LoadRunbook(IReadOnlyDictionary<string, object?> settings)
    {
        var folder = RunbookPath is not null
            ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(RunbookPath)
            : Path.Combine(Path.GetDirectoryName(typeof(InvokeDisasterRecoveryCommand).Assembly.Location)!, "runbooks");
        var path = Path.Combine(folder, Scenario + ".ps1");
        if (!File.Exists(path)) ThrowError(BackupErrorKind.NotFound, $"There is no runbook for {Scenario} at '{path}'.", path);
        var support = Path.Combine(folder, "RunbookSupport.ps1");
        _supportScript = File.Exists(support) ? support : null;
        var steps = new List<RunbookStep>();
        foreach (var item in InvokeCommand.InvokeScript("param($p) & $p", false, PipelineResultTypes.None, null, path))
        {
            if (item?.BaseObject is not Hashtable h || h["Name"] is not string name || h["Action"] is not ScriptBlock action)
            {
                ThrowError(BackupErrorKind.InvalidArgument, $"The runbook '{path}' must return hashtables with Name and Action (and Critical, Fallback).", path);
                continue;
            }
            steps.Add(new RunbookStep(name, h["Critical"] is true, action, h["Fallback"] as ScriptBlock));
        }
        return steps;
    }

    /// <summary>RunbookSupport.ps1 beside the runbook, dot-sourced before each step; null when there is none.</summary>
    private string? _supportScript;

    private sealed record RunbookStep(string Name, bool Critical, ScriptBlock Action, ScriptBlock? Fallback);
}
