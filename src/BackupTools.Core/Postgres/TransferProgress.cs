using System.Diagnostics;

namespace BackupTools.Core.Postgres;

/// <summary>Turns a running byte count into <see cref="ProgressInfo"/> reports with a rate, at most a few per second.</summary>
internal sealed class TransferProgress : IProgress<long>
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly IProgress<ProgressInfo>? _target;
    private readonly string _activity;
    private readonly string _status;
    private readonly long? _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _last = -Interval;

    public TransferProgress(IProgress<ProgressInfo>? target, string activity, string status, long? total)
    {
        _target = target;
        _activity = activity;
        _status = status;
        _total = total;
    }

    public void Report(long bytesDone)
    {
        if (_target is null) return;
        var now = _clock.Elapsed;
        if (now - _last < Interval) return;
        _last = now;
        var rate = now.TotalSeconds > 0 ? bytesDone / now.TotalSeconds : 0;
        // The total is an estimate (database size); never let the bar claim more than it knows.
        var total = _total is { } t ? Math.Max(t, bytesDone) : (long?)null;
        _target.Report(new ProgressInfo(_activity, _status, bytesDone, total, rate));
    }
}
