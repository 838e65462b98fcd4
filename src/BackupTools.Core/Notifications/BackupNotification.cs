using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BackupTools.Core.Notifications;

/// <summary>
/// What a webhook is told about one backup run. Serialized as the payload of Slack and Microsoft Teams incoming
/// webhooks: a top-level "text" they display, plus structured fields for other receivers. Never holds a secret.
/// </summary>
public sealed record BackupNotification
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>"success" or "failure".</summary>
    public required string Status { get; init; }
    /// <summary>What ran, e.g. "New-Backup" or a schedule's name.</summary>
    public required string Operation { get; init; }
    /// <summary>The source backed up, e.g. "database 'app' on db1:5432".</summary>
    public required string Source { get; init; }
    /// <summary>The destination repository as the user named it.</summary>
    public string? Repository { get; init; }
    /// <summary>The backup id on success.</summary>
    public string? BackupId { get; init; }
    /// <summary>The error message on failure.</summary>
    public string? Error { get; init; }
    /// <summary>The machine the backup ran on.</summary>
    public string Host { get; init; } = Environment.MachineName;
    /// <summary>How long the run took, in seconds.</summary>
    public double DurationSeconds { get; init; }
    /// <summary>When the run ended.</summary>
    public DateTimeOffset Time { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>The line Slack and Teams show.</summary>
    public string Text => Status == "success"
        ? $"BackupTools: {Operation} of {Source} succeeded on {Host} (backup {BackupId} in {Repository}, {Seconds})."
        : $"BackupTools: {Operation} of {Source} FAILED on {Host} after {Seconds}: {Error}";

    /// <summary>The JSON payload: {"text": …, "status": …, "source": …, "backupId": …, "error": …, "host": …, …}.</summary>
    public string ToJson() => JsonSerializer.Serialize(new
    {
        text = Text,
        status = Status,
        operation = Operation,
        source = Source,
        repository = Repository,
        backupId = BackupId,
        error = Error,
        host = Host,
        durationSeconds = Math.Round(DurationSeconds, 3),
        time = Time,
    }, JsonOptions);

    private string Seconds => DurationSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";
}
