namespace BackupTools.Core.Sources.ObjectStorage;

/// <summary>Adds the running byte counts of objects transferred side by side into one total for a progress bar.</summary>
internal sealed class AggregateProgress(IProgress<long> target)
{
    private long _total;

    /// <summary>Bytes reported so far, all parts together.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>A reporter for one object's running count (0, then up to its size).</summary>
    public IProgress<long> NewPart() => new Part(this);

    private void Add(long delta) => target.Report(Interlocked.Add(ref _total, delta));

    private sealed class Part(AggregateProgress owner) : IProgress<long>
    {
        private long _last;

        public void Report(long value)
        {
            owner.Add(value - _last);
            _last = value;
        }
    }
}
