using Nachos.Shared.Spec;

namespace Nachos.Shared.Search;

/// <summary>
/// A scheduler's rungs and its judgement at a rung, pure. A trial trains to its first rung's epoch, is judged on its mean inner
/// validation score there, and either goes on (from its checkpoint) to the next rung or stops; after the last rung it runs to the
/// end. So that the same spec and seed give the same choices for any device count and arrival order, trial n is judged at a rung
/// only against its peers below n (all of which have either reached that rung or ended before it), never against later trials:
/// ASHA's rule becomes "promote if in the top ceil(k / η) of the k peers and itself at this rung" (the first trial of a bracket always
/// goes on, so some trial always runs to the end), and median stopping "promote unless worse than the median of the peers".
/// See docs/search.md.
/// </summary>
public sealed class RungSchedule(SchedulerSpec spec, int maxEpochs, bool maximise)
{
    public SchedulerSpec Spec => spec;

    /// <summary>Hyperband's bracket of a trial (round robin); 0 for ASHA and median stopping.</summary>
    public int Bracket(int trial) => spec.Kind == SchedulerKind.Hyperband ? trial % spec.Brackets : 0;

    /// <summary>The epochs at which <paramref name="trial"/> is judged, ascending, each below max epochs.</summary>
    public IReadOnlyList<int> Rungs(int trial)
    {
        var rungs = new List<int>();
        if (spec.Kind == SchedulerKind.Median)
        {
            for (long e = spec.GracePeriod; e < maxEpochs; e += spec.Interval) rungs.Add((int)e);
            return rungs;
        }
        var start = spec.GracePeriod * Math.Pow(spec.ReductionFactor, Bracket(trial));
        for (var e = start; e < maxEpochs; e *= spec.ReductionFactor) rungs.Add((int)e);
        return rungs;
    }

    /// <summary>Whether <paramref name="other"/>'s score at a rung takes part in judging <paramref name="trial"/> there.</summary>
    public bool IsPeer(int trial, int other) => other < trial && Bracket(other) == Bracket(trial);

    /// <summary>Whether a trial with <paramref name="score"/> at a rung goes on, given its peers' scores there (undefined scores rank last).</summary>
    public bool Promote(int trial, double? score, IReadOnlyList<(int Trial, double? Score)> peers)
    {
        if (spec.Kind == SchedulerKind.Median)
        {
            if (peers.Count < spec.MinTrials) return true;
            if (score is not { } own) return false;
            var defined = peers.Where(p => p.Score is not null).Select(p => p.Score!.Value).ToList();
            return defined.Count == 0 || (maximise ? own >= Median(defined) : own <= Median(defined));
        }
        var ranked = peers.Append((trial, score))
            .OrderBy(p => p.Item2 is null)
            .ThenBy(p => p.Item2 is { } v ? (maximise ? -v : v) : 0)
            .ThenBy(p => p.Item1)
            .Select(p => p.Item1)
            .ToList();
        var keep = (ranked.Count + spec.ReductionFactor - 1) / spec.ReductionFactor;
        return score is not null && ranked.IndexOf(trial) < keep;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        var n = values.Count;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
