namespace BackupTools.Core.Postgres;

/// <summary>Sums the running byte counts of parallel streams (base backup parts) into one <see cref="TransferProgress"/>.</summary>
internal sealed class SummedProgress(TransferProgress target, int streams)
{
    private readonly long[] _done = new long[streams];

    /// <summary>The progress sink of stream <paramref name="index"/> (it reports its own running count).</summary>
    public IProgress<long> For(int index) => new Stream(this, index);

    private void Report(int index, long bytes)
    {
        lock (_done)
        {
            _done[index] = bytes;
            target.Report(_done.Sum());
        }
    }

    private sealed class Stream(SummedProgress owner, int index) : IProgress<long>
    {
        public void Report(long value) => owner.Report(index, value);
    }
}
