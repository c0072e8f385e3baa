using Nachos.Shared.Spec;
using Nachos.Shared.Statistics;
using Nachos.Shared.Study;

namespace Nachos.Shared.Comparison;

/// <summary>
/// Compares finished studies that ran on the same samples, truths and split plan: their outer test folds are then the
/// same images, so per-fold metrics and per-image predictions pair up. Pure: the studies come read (<see cref="ComparisonInputs"/>).
/// </summary>
public static class StudyComparer
{
    public const double Alpha = 0.05;

    /// <summary>Why the studies cannot be compared, one line naming two run directories and what differs; null when they can.</summary>
    public static string? Mismatch(IReadOnlyList<ComparedStudy> studies)
    {
        var first = studies[0];
        var ids = AllSamples(first);
        foreach (var other in studies.Skip(1))
        {
            var pair = $"{first.RunDir} and {other.RunDir}";
            if (other.Name == first.Name) return $"{pair}: both studies are named '{first.Name}'; a comparison names its studies";
            if (other.Task != first.Task)
                return $"{pair}: not the same task ({SpecNames.NameOf(SpecNames.Tasks, first.Task)} vs {SpecNames.NameOf(SpecNames.Tasks, other.Task)})";
            if (!other.Classes.SequenceEqual(first.Classes))
                return $"{pair}: not the same classes ([{string.Join(", ", first.Classes)}] vs [{string.Join(", ", other.Classes)}])";
            var otherIds = AllSamples(other);
            if (!otherIds.SetEquals(ids))
            {
                var only = ids.Except(otherIds).Order(StringComparer.Ordinal).Select(id => $"'{id}' is only in {first.RunDir}")
                    .Concat(otherIds.Except(ids).Order(StringComparer.Ordinal).Select(id => $"'{id}' is only in {other.RunDir}")).First();
                return $"{pair}: not the same dataset ({ids.Count} vs {otherIds.Count} samples; sample {only})";
            }
            if (other.Plan.Hash != first.Plan.Hash)
                return $"{pair}: not the same split plan ({StudyEnsembles.PlanDifference(first.Plan, other.Plan)}), so their outer test folds are not the same images";
            foreach (var (id, p) in first.Pooled.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                if (other.Pooled.TryGetValue(id, out var q) && !p.Labels.SequenceEqual(q.Labels))
                    return $"{pair}: not the same dataset (sample '{id}' is {Truth(first, p)} in one and {Truth(other, q)} in the other)";
        }
        return null;
    }

    /// <summary>
    /// The first study's search metric when every fold reports it on the test set (the loss is not), else the task
    /// kind's first metric (AUROC, Dice).
    /// </summary>
    public static string DefaultMetric(IReadOnlyList<ComparedStudy> studies)
    {
        var first = studies[0];
        return first.Folds.All(f => f.TestMetrics.ContainsKey(first.SearchMetric)) ? first.SearchMetric : SpecNames.MetricsOf(first.Task)[0];
    }

    /// <summary>Why <paramref name="metric"/> cannot be compared (unknown, or undefined in a fold); null when every study has it in every outer fold.</summary>
    public static string? MetricProblem(IReadOnlyList<ComparedStudy> studies, string metric)
    {
        foreach (var s in studies)
            foreach (var f in s.Folds)
            {
                if (!f.TestMetrics.TryGetValue(metric, out var v))
                    return $"--metric {metric}: not a test metric of study '{s.Name}' (it has {string.Join(", ", f.TestMetrics.Keys)})";
                if (v is not { } value || !double.IsFinite(value))
                    return $"--metric {metric}: undefined in outer fold {f.Outer} of study '{s.Name}' ({s.RunDir})";
            }
        return null;
    }

    /// <summary>The comparison of studies that <see cref="Mismatch"/> and <see cref="MetricProblem"/> accept.</summary>
    public static StudyComparison Compare(IReadOnlyList<ComparedStudy> studies, string metric)
    {
        if (studies.Count < 2) throw new ArgumentException($"a comparison needs at least 2 studies; got {studies.Count}", nameof(studies));
        if (Mismatch(studies) is { } mismatch) throw new ComparisonException(mismatch);
        if (MetricProblem(studies, metric) is { } problem) throw new ComparisonException(problem);
        var higher = !SpecNames.Minimised(metric);
        var plan = studies[0].Plan;
        var folds = plan.Outer.Select(f => f.Index).ToList();
        var scores = studies.Select(s => folds.Select(k => s.Folds.Single(f => f.Outer == k).TestMetrics[metric]!.Value).ToArray()).ToList();
        int test = plan.Outer.Sum(f => f.Test.Count), train = plan.Outer.Sum(f => f.Train.Count);
        var ratio = (double)test / train;

        var (pooledTest, pooledNote) = studies[0].Task switch
        {
            TaskKind.Binary => ("delong", (string?)null),
            TaskKind.Segmentation => ("wilcoxon", null),
            var task => ((string?)null, $"no pooled test for a {SpecNames.NameOf(SpecNames.Tasks, task)} task: DeLong's test compares the AUROCs of one binary outcome"),
        };
        var pooledScore = studies.Select(s => pooledTest switch
        {
            "delong" => Auroc(s, s.Pooled.Keys.Order(StringComparer.Ordinal).ToList()),
            "wilcoxon" => s.Pooled.Values.Select(p => p.Dice).OfType<double>().DefaultIfEmpty(double.NaN).Average() is var m && double.IsFinite(m) ? m : (double?)null,
            _ => null,
        }).ToList();

        var pairs = new List<PairComparison>();
        for (var i = 0; i < studies.Count; i++)
            for (var j = i + 1; j < studies.Count; j++)
                pairs.Add(Pair(studies[i], studies[j], scores[i], scores[j], ratio, pooledTest));
        var foldHolm = HolmOver(pairs.Select(p => p.P).ToList());
        var pooledHolm = HolmOver(pairs.Select(p => p.Pooled?.P).ToList());
        pairs = pairs.Select((p, n) => p with { PHolm = foldHolm[n], Pooled = p.Pooled is null ? null : p.Pooled with { PHolm = pooledHolm[n] } }).ToList();

        RankComparison? ranks = null;
        IReadOnlyList<double>? averageRanks = null;
        if (studies.Count >= 3) (ranks, averageRanks) = Rank(studies, scores, higher);
        var perStudy = studies.Select((s, i) => new StudyScores(s.Name, s.RunDir, scores[i], scores[i].Average(), pooledScore[i], averageRanks?[i])).ToList();
        return new StudyComparison(metric, higher, Alpha, folds, test, train, ratio, pooledTest, pooledNote, perStudy, pairs, ranks);
    }

    private static PairComparison Pair(ComparedStudy a, ComparedStudy b, double[] x, double[] y, double ratio, string? pooledTest)
    {
        var d = x.Zip(y, (u, v) => u - v).ToArray();
        double? t = null, p = null;
        string? note = null;
        if (d.Length < 2) note = "one outer fold: no variance to test against";
        else
            try
            {
                var r = TTests.CorrectedResampled(d, ratio);
                (t, p) = (r.T, r.P);
            }
            catch (ArgumentException)
            {
                note = d.All(v => v == 0) ? "the same value in every fold" : "the difference is the same in every fold (zero variance)";
            }
        var pooled = pooledTest switch
        {
            "delong" => DeLongPair(a, b),
            "wilcoxon" => WilcoxonPair(a, b),
            _ => null,
        };
        return new PairComparison(a.Name, b.Name, d, d.Average(), t, d.Length - 1, p, null, note, pooled);
    }

    private static PooledComparison DeLongPair(ComparedStudy a, ComparedStudy b)
    {
        var ids = a.Pooled.Keys.Order(StringComparer.Ordinal).ToList();
        var positive = ids.Select(id => a.Pooled[id].Labels[0] == 1).ToArray();
        var first = ids.Select(id => a.Pooled[id].Probabilities[1]).ToArray();
        var second = ids.Select(id => b.Pooled[id].Probabilities[1]).ToArray();
        try
        {
            var r = DeLong.Test(first, second, positive);
            return new PooledComparison("delong", ids.Count, r.Auroc1, r.Auroc2, r.Z, r.P, null, null);
        }
        catch (ArgumentException e)
        {
            return new PooledComparison("delong", ids.Count, Auroc(a, ids), Auroc(b, ids), null, null, null, e.Message);
        }
    }

    private static PooledComparison WilcoxonPair(ComparedStudy a, ComparedStudy b)
    {
        var both = a.Pooled.Keys.Order(StringComparer.Ordinal)
            .Where(id => a.Pooled[id].Dice is not null && b.Pooled[id].Dice is not null).ToList();
        var x = both.Select(id => a.Pooled[id].Dice!.Value).ToArray();
        var y = both.Select(id => b.Pooled[id].Dice!.Value).ToArray();
        double? mx = x.Length > 0 ? x.Average() : null, my = y.Length > 0 ? y.Average() : null;
        if (both.Count == 0) return new PooledComparison("wilcoxon", 0, null, null, null, null, null, "no image has a Dice from both studies");
        try
        {
            var r = WilcoxonSignedRank.Test(x, y);
            return new PooledComparison("wilcoxon", both.Count, mx, my, r.Statistic, r.P, null, null);
        }
        catch (ArgumentException)
        {
            return new PooledComparison("wilcoxon", both.Count, mx, my, null, null, null, "every image has the same Dice in both studies");
        }
    }

    private static (RankComparison, IReadOnlyList<double>?) Rank(IReadOnlyList<ComparedStudy> studies, List<double[]> scores, bool higher)
    {
        var k = studies.Count;
        var blocks = Enumerable.Range(0, scores[0].Length).Select(f => (IReadOnlyList<double>)scores.Select(s => s[f]).ToArray()).ToList();
        if (blocks.Count < 2) return (new RankComparison(null, k - 1, null, null, [], "one outer fold: the Friedman test needs at least 2"), null);
        FriedmanResult friedman;
        try { friedman = Friedman.Test(blocks, higher); }
        catch (ArgumentException) { return (new RankComparison(null, k - 1, null, null, [], "every fold ties all studies"), null); }
        if (k > 10)
            return (new RankComparison(friedman.ChiSquare, friedman.DegreesOfFreedom, friedman.P, null, [], "the Nemenyi table covers up to 10 studies"), friedman.AverageRanks);
        var cd = Nemenyi.CriticalDifference(k, friedman.Blocks, Alpha);
        var significant = Nemenyi.SignificantPairs(friedman, Alpha).Select(p => new StudyPair(studies[p.First].Name, studies[p.Second].Name)).ToList();
        return (new RankComparison(friedman.ChiSquare, friedman.DegreesOfFreedom, friedman.P, cd, significant, null), friedman.AverageRanks);
    }

    private static double?[] HolmOver(IReadOnlyList<double?> p)
    {
        var defined = p.Select((v, i) => (v, i)).Where(t => t.v is not null).ToList();
        var adjusted = new double?[p.Count];
        if (defined.Count == 0) return adjusted;
        var holm = Holm.Adjust(defined.Select(t => t.v!.Value).ToList());
        for (var n = 0; n < defined.Count; n++) adjusted[defined[n].i] = holm[n];
        return adjusted;
    }

    private static double? Auroc(ComparedStudy s, IReadOnlyList<string> ids) =>
        Metrics.Auroc.Compute(ids.Select(id => s.Pooled[id].Probabilities[1]).ToArray(), ids.Select(id => s.Pooled[id].Labels[0] == 1).ToArray());

    private static HashSet<string> AllSamples(ComparedStudy s) =>
        s.Plan.Outer.SelectMany(f => f.Test.Concat(f.Train)).ToHashSet(StringComparer.Ordinal);

    private static string Truth(ComparedStudy s, PooledPrediction p) => s.Task switch
    {
        TaskKind.Binary or TaskKind.Multiclass when p.Labels[0] >= 0 && p.Labels[0] < s.Classes.Count => $"'{s.Classes[p.Labels[0]]}'",
        _ => $"[{string.Join(", ", p.Labels)}]",
    };
}
