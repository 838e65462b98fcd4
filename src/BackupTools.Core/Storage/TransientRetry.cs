using Polly;
using Polly.Retry;

namespace BackupTools.Core.Storage;

/// <summary>
/// Runs storage calls with retry of transient faults (<see cref="TransientFaults"/>) by exponential backoff with
/// jitter (Polly); when the attempts run out, a <see cref="BackupToolsException"/> of kind ConnectionFailed names the
/// location and the last cause. Shared by <see cref="RetryingBlobStore"/> and the object-storage source.
/// </summary>
internal sealed class TransientRetry
{
    private readonly ResiliencePipeline _pipeline;

    /// <summary>Retries by <paramref name="options"/>; <paramref name="location"/> is what errors name.</summary>
    public TransientRetry(RetryOptions options, string location)
    {
        if (options.MaxAttempts < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxAttempts, "At least one attempt is needed.");
        Options = options;
        Location = location;
        _pipeline = options.MaxAttempts == 1
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && TransientFaults.IsTransient(e, args.Context.CancellationToken)),
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
            }).Build();
    }

    /// <summary>How the calls back off.</summary>
    public RetryOptions Options { get; }

    /// <summary>The location named in errors.</summary>
    public string Location { get; }

    /// <summary>Runs <paramref name="operation"/>, again after each transient fault, until it succeeds or the attempts run out.</summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken ct)
    {
        try
        {
            return await _pipeline.ExecuteAsync(async token => await operation(token).ConfigureAwait(false), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (TransientFaults.IsTransient(e, ct))
        {
            throw GaveUp(e);
        }
    }

    /// <summary>The error thrown when the attempts ran out on <paramref name="cause"/>.</summary>
    public BackupToolsException GaveUp(Exception cause)
        => new(BackupErrorKind.ConnectionFailed,
            $"Storage at '{Location}' failed after {Options.MaxAttempts} attempts: {cause.Message}", Location, cause);
}
