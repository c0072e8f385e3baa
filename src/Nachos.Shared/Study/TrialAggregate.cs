namespace Nachos.Shared.Study;

/// <summary>
/// How a trial's inner splits add up, for the trial entity, the trial tables and the leaderboard alike: its
/// score is the mean of the splits' validation scores with its standard error, defined only when every split's
/// is; other metrics are the mean of the splits that define them.
/// </summary>
public static class TrialAggregate
{
    /// <returns>The score's summary, or null with the reason when a split's score is undefined.</returns>
    public static (Summary? Score, string? Undefined) Score(IReadOnlyList<double?> splitScores, string metric) =>
        splitScores.Any(s => s is null)
            ? (null, $"validation {metric} is undefined on an inner split")
            : (Intervals.Summarise(splitScores.Select(s => s!.Value).ToList()), null);

    /// <summary>
    /// The splits' mean learning curve: at each epoch every split ran, the mean of their values (undefined when one is); null when a
    /// split reported no curve.
    /// </summary>
    public static IReadOnlyList<double?>? MeanCurve(IReadOnlyList<IReadOnlyList<double?>?> curves)
    {
        if (curves.Count == 0 || curves.Any(c => c is null)) return null;
        return Enumerable.Range(0, curves.Min(c => c!.Count))
            .Select(e => curves.Any(c => c![e] is null) ? (double?)null : curves.Average(c => c![e]!.Value)).ToList();
    }

    /// <summary>The mean of the defined values; null when none is.</summary>
    public static double? MeanOfDefined(IEnumerable<double?> values)
    {
        var defined = values.OfType<double>().ToList();
        return defined.Count == 0 ? null : defined.Average();
    }
}
