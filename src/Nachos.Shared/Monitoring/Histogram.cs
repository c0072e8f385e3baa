namespace Nachos.Shared.Monitoring;

/// <summary>A histogram's counts at one moment: per bucket (not cumulative), the last bucket above the last bound.</summary>
public sealed record HistogramSnapshot(IReadOnlyList<double> Bounds, IReadOnlyList<long> Counts, long Count, double Sum);

/// <summary>Fixed-bucket histogram of observations (seconds); thread-safe.</summary>
public sealed class Histogram(IReadOnlyList<double> bounds)
{
    /// <summary>Training task attempts: a tenth of a second (simulated) to four hours.</summary>
    public static readonly IReadOnlyList<double> TaskSeconds = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14400];

    /// <summary>Journal round trips: half a millisecond to a second.</summary>
    public static readonly IReadOnlyList<double> JournalSeconds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

    private readonly long[] _counts = new long[bounds.Count + 1];
    private long _count;
    private double _sum;

    public void Observe(double value)
    {
        var bucket = 0;
        while (bucket < bounds.Count && value > bounds[bucket]) bucket++;
        lock (_counts)
        {
            _counts[bucket]++;
            _count++;
            _sum += value;
        }
    }

    public HistogramSnapshot Snapshot()
    {
        lock (_counts) return new HistogramSnapshot(bounds, _counts.ToArray(), _count, _sum);
    }
}
