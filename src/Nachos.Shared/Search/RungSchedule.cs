using Nachos.Shared.LearningCurves;
using Nachos.Shared.Spec;
using Nachos.Shared.Statistics;

namespace Nachos.Shared.Search;

/// <summary>A trial's score at a rung: the mean over its inner splits, and each split's; and the splits' mean curve so far (per epoch), if reported.</summary>
public sealed record RungScore(int Trial, double? Score, IReadOnlyList<double?> SplitScores, IReadOnlyList<double?>? Curve = null);

/// <summary>
/// A scheduler's rungs and its judgement at a rung, pure. A trial trains to its first rung's epoch, is judged on its mean inner
/// validation score there, and either goes on (from its checkpoint) to the next rung or stops; after the last rung it runs to the
/// end. So that the same spec and seed give the same choices for any device count and arrival order, trial n is judged at a rung
/// only against its peers: the trials of its bracket in its own cohort (<c>cohort</c> consecutive trials of the bracket) or an
/// earlier one, once all of them have either reached that rung or ended before it; never against a later cohort. With cohorts of
/// one this is ASHA's rule in trial order, "promote if in the top ceil(k / η) of the k peers and itself at this rung" (the first
/// trial of a bracket always goes on); with one cohort of the whole search it is synchronous successive halving. Median stopping
/// is "promote unless worse than the median of the peers", the Wilcoxon pruner "promote unless significantly worse, split by
/// split, than the best peer". With <c>extrapolate</c>, ASHA, Hyperband and median stopping rank a trial not by its score at the rung
/// but by its learning curve's forecast at max epochs (<see cref="Forecast"/>), so that a slow learner is not stopped for being slow.
/// See docs/search.md.
/// </summary>
/// <param name="metric">The search metric (<c>loss</c> or a metric's name): it bounds the forecast (0 to 1 for a proportion, from 0 otherwise).</param>
public sealed class RungSchedule(SchedulerSpec spec, int maxEpochs, bool maximise, string metric)
{
    public SchedulerSpec Spec => spec;

    /// <summary>Hyperband's bracket of a trial (round robin); 0 for ASHA and median stopping.</summary>
    public int Bracket(int trial) => spec.Kind == SchedulerKind.Hyperband ? trial % spec.Brackets : 0;

    /// <summary>The epochs at which <paramref name="trial"/> is judged, ascending, each below max epochs.</summary>
    public IReadOnlyList<int> Rungs(int trial)
    {
        var rungs = new List<int>();
        if (spec.Kind is SchedulerKind.Median or SchedulerKind.Wilcoxon)
        {
            for (long e = spec.GracePeriod; e < maxEpochs; e += spec.Interval) rungs.Add((int)e);
            return rungs;
        }
        var start = spec.GracePeriod * Math.Pow(spec.ReductionFactor, Bracket(trial));
        for (var e = start; e < maxEpochs; e *= spec.ReductionFactor) rungs.Add((int)e);
        return rungs;
    }

    /// <summary>A trial's cohort within its bracket: trials judged together at a rung.</summary>
    private int Cohort(int trial) => trial / (spec.Kind == SchedulerKind.Hyperband ? spec.Brackets : 1) / spec.Cohort;

    /// <summary>Whether <paramref name="other"/>'s score at a rung takes part in judging <paramref name="trial"/> there.</summary>
    public bool IsPeer(int trial, int other) =>
        other != trial && Bracket(other) == Bracket(trial) && (other < trial || Cohort(other) == Cohort(trial));

    /// <summary>Whether a trial with <paramref name="own"/> result at a rung goes on, given its peers' results there (undefined scores rank last).</summary>
    public bool Promote(RungScore own, IReadOnlyList<RungScore> peers)
    {
        if (spec.Kind == SchedulerKind.Wilcoxon) return !SignificantlyWorse(own, peers);
        return Promote(own.Trial, Ranked(own), peers.Select(p => (p.Trial, Ranked(p))).ToList());
    }

    /// <summary>What a trial is ranked by at a rung: its score, or with <c>extrapolate</c> its forecast (its score when there is none).</summary>
    private double? Ranked(RungScore s) => spec.Extrapolate && s.Score is not null ? Forecast(s.Curve) ?? s.Score : s.Score;

    /// <summary>
    /// The inverse power law metric(e) = a − b·e^(−c) fitted to a mean learning curve's defined epochs (the first is epoch 1), at max
    /// epochs; null when fewer than 3 epochs are defined or no fit converges.
    /// </summary>
    public double? Forecast(IReadOnlyList<double?>? curve)
    {
        if (curve is null) return null;
        var epochs = Enumerable.Range(0, curve.Count).Where(e => curve[e] is { } v && double.IsFinite(v)).ToList();
        if (epochs.Count < 3) return null;
        var fit = InversePowerLaw.Fit(epochs.Select(e => e + 1.0).ToList(), epochs.Select(e => curve[e]!.Value).ToList(),
            0, SpecNames.InUnitInterval(metric) ? 1 : double.PositiveInfinity);
        return fit?.At(maxEpochs);
    }

    /// <summary>
    /// Optuna's WilcoxonPruner over inner splits: the trial's split scores against the best peer's (highest mean, lowest index on ties),
    /// paired by split; one-sided Wilcoxon signed-rank test that the trial is worse. With J splits the smallest p is 2^−J, so fewer
    /// than 4 splits never stop a trial at the default threshold 0.1.
    /// </summary>
    private bool SignificantlyWorse(RungScore own, IReadOnlyList<RungScore> peers)
    {
        var best = peers.Where(p => p.Score is not null).OrderBy(p => maximise ? -p.Score!.Value : p.Score!.Value).ThenBy(p => p.Trial).FirstOrDefault();
        if (best is null) return false;
        if (own.Score is null) return true;
        var differences = own.SplitScores.Zip(best.SplitScores)
            .Where(p => p.First is not null && p.Second is not null)
            .Select(p => p.First!.Value - p.Second!.Value).ToList();
        if (differences.All(d => d == 0)) return false;
        var p = WilcoxonSignedRank.Test(differences, maximise ? Alternative.Less : Alternative.Greater).P;
        return p < spec.PThreshold;
    }

    /// <summary>Whether a trial with <paramref name="score"/> at a rung goes on, given its peers' scores there (ASHA, Hyperband, median stopping).</summary>
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
