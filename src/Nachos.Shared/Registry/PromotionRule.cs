using System.Globalization;
using MathNet.Numerics.Distributions;
using Nachos.Shared.Metrics;
using Nachos.Shared.Predictions;
using Nachos.Shared.Seeding;
using Nachos.Shared.Spec;
using Nachos.Shared.Statistics;

namespace Nachos.Shared.Registry;

/// <summary>
/// The champion/challenger rule of the model registry (docs/registry.md): a challenger replaces the champion only when it is
/// better on the same evaluation set (same content hash) by a one-sided paired test at α. AUROC of a binary task:
/// DeLong's test. Dice of a segmentation task: the Wilcoxon signed-rank test over per-image Dice. Any other metric: a
/// paired bootstrap over images (<see cref="Replicates"/> replicates, seed <see cref="BootstrapSeed"/>). The first
/// champion of a task is promoted without a test.
/// </summary>
public static class PromotionRule
{
    public const double DefaultAlpha = 0.05;
    public const int Replicates = 2000;
    public const long BootstrapSeed = 13;

    /// <summary>The metric a task's models are compared on by default: AUROC (macro for several classes or labels), Dice for segmentation.</summary>
    public static string DefaultMetric(TaskKind task) => task == TaskKind.Segmentation ? "dice" : "auroc";

    /// <summary>Whether α is usable: in (0, 0.5).</summary>
    public static bool ValidAlpha(double alpha) => alpha is > 0 and < 0.5;

    /// <param name="champion">The current champion's evaluation; null when the task has none.</param>
    /// <param name="sameModel">The challenger is the champion.</param>
    /// <param name="metric">The metric to compare on; null for <see cref="DefaultMetric"/>.</param>
    /// <exception cref="RegistryException">An unknown metric, or an evaluation set on which the test is undefined.</exception>
    public static PromotionDecision Decide(ModelEvaluation? champion, ModelEvaluation challenger, bool sameModel, string? metric, double alpha)
    {
        if (!ValidAlpha(alpha)) throw new RegistryException($"alpha {alpha.ToString(CultureInfo.InvariantCulture)}: expected a number in (0, 0.5)");
        metric ??= DefaultMetric(challenger.Task);
        if (!challenger.Metrics.ContainsKey(metric))
            throw new RegistryException($"metric '{metric}': not recorded for this model (recorded: {string.Join(", ", challenger.Metrics.Keys)})");
        var mine = challenger.Metrics[metric];
        if (sameModel)
            return new PromotionDecision(PromotionOutcome.AlreadyChampion, metric, "none", alpha, mine, mine, null, null, null, null, "it is the champion already");
        if (champion is null)
            return new PromotionDecision(PromotionOutcome.Promoted, metric, "none (first champion of the task)", alpha, null, mine, null, null, null, null,
                "the task has no champion: the first promoted model becomes champion without a test");
        if (champion.SetHash != challenger.SetHash)
            return new PromotionDecision(PromotionOutcome.DifferentSet, metric, "none", alpha, champion.Metrics.GetValueOrDefault(metric), mine, null, null, null, null,
                $"the challenger was evaluated on '{challenger.SetName}' (content hash {challenger.SetHash}), the champion on '{champion.SetName}' "
                + $"(content hash {champion.SetHash}): a paired comparison needs the same evaluation set; evaluate the challenger on the champion's set and register it again");

        // Same hash: the same images, so rows pair by sample id.
        var byId = champion.Rows.ToDictionary(r => r.SampleId, StringComparer.Ordinal);
        var a = challenger.Rows.OrderBy(r => r.SampleId, StringComparer.Ordinal).ToList();
        var b = a.Select(r => byId[r.SampleId]).ToList();
        var (test, difference, low, high, p) =
            metric == "auroc" && challenger.Task == TaskKind.Binary ? DeLongTest(a, b, alpha)
            : metric == "dice" && challenger.Task == TaskKind.Segmentation ? WilcoxonTest(a, b, alpha)
            : Bootstrap(challenger, a, b, metric, alpha);
        var championValue = champion.Metrics.GetValueOrDefault(metric);
        var better = p is { } pv && pv < alpha;
        var shown = string.Create(CultureInfo.InvariantCulture, $"{MetricText.Name(metric)} difference {Show(difference)} ({(1 - 2 * alpha) * 100:0.#} % CI {Show(low)} to {Show(high)}), one-sided p = {ShowP(p)}, α = {alpha}");
        return better
            ? new PromotionDecision(PromotionOutcome.Promoted, metric, test, alpha, championValue, mine, difference, low, high, p, $"better: {shown}")
            : new PromotionDecision(PromotionOutcome.NotBetter, metric, test, alpha, championValue, mine, difference, low, high, p,
                $"not significantly better than the champion: {shown}");
    }

    private static string Show(double? v) => v is { } x ? x.ToString("+0.0000;-0.0000;0.0000", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>A p-value as people read it: four significant digits, or "&lt; 1e-12".</summary>
    public static string ShowP(double? p) => p switch
    {
        null => "n/a",
        < 1e-12 => "< 1e-12",
        { } v => v.ToString("G4", CultureInfo.InvariantCulture),
    };

    private static (string, double?, double?, double?, double?) DeLongTest(List<PredictionRow> a, List<PredictionRow> b, double alpha)
    {
        const string name = "DeLong (paired AUROC, one-sided)";
        var positive = a.Select(r => r.Labels[0] == 1).ToList();
        var m = positive.Count(x => x);
        if (m < 2 || positive.Count - m < 2)
            throw new RegistryException($"the evaluation set has {m} positive and {positive.Count - m} negative images; DeLong's test needs at least 2 of each");
        DeLongResult result;
        try { result = DeLong.Test(a.Select(r => r.Probabilities[1]).ToList(), b.Select(r => r.Probabilities[1]).ToList(), positive); }
        catch (ArgumentException)
        {
            // The two rank every pair of images alike: the same AUROC, no evidence either way.
            return (name, 0, 0, 0, 1);
        }
        var difference = result.Auroc1 - result.Auroc2;
        var se = Math.Sqrt(result.Variance1 + result.Variance2 - 2 * result.Covariance);
        var z = Normal.InvCDF(0, 1, 1 - alpha);
        return (name, difference, difference - z * se, difference + z * se, Normal.CDF(0, 1, -result.Z));
    }

    private static (string, double?, double?, double?, double?) WilcoxonTest(List<PredictionRow> a, List<PredictionRow> b, double alpha)
    {
        var x = a.Select(r => ModelEvaluation.Dice(r)!.Value).ToArray();
        var y = b.Select(r => ModelEvaluation.Dice(r)!.Value).ToArray();
        var name = $"Wilcoxon signed-rank over per-image Dice (one-sided; interval: paired bootstrap of the mean, {Replicates} replicates, seed {BootstrapSeed})";
        var (mean, low, high, _) = BootstrapOf(x.Length, idx => idx.Average(i => x[i]) - idx.Average(i => y[i]), alpha);
        if (x.Zip(y).All(t => t.First == t.Second)) return (name, 0, low, high, 1);
        var result = WilcoxonSignedRank.Test(x, y, Alternative.Greater);
        return (name, mean, low, high, result.P);
    }

    private static (string, double?, double?, double?, double?) Bootstrap(ModelEvaluation challenger, List<PredictionRow> a, List<PredictionRow> b, string metric, double alpha)
    {
        var sign = SpecNames.Minimised(metric) ? -1 : 1;
        double? Value(List<PredictionRow> rows, IReadOnlyList<int> idx)
        {
            var pick = idx.Select(i => rows[i]).ToList();
            var table = new PredictionsTable(challenger.Classes, challenger.Task == TaskKind.Segmentation ? [metric] : [], pick);
            return ModelEvaluation.MetricsOf(challenger.Task, challenger.Classes, table, challenger.Threshold).GetValueOrDefault(metric);
        }
        double? Difference(IReadOnlyList<int> idx) => Value(a, idx) is { } x && Value(b, idx) is { } y ? x - y : null;
        var all = Enumerable.Range(0, a.Count).ToArray();
        var observed = Difference(all);
        if (observed is null) throw new RegistryException($"metric '{metric}' is undefined on the evaluation set for one of the two models");
        var (_, low, high, worse) = BootstrapOf(a.Count, Difference, alpha, sign);
        // One-sided bootstrap p of "the challenger is better": the share of replicates where it is not.
        return ($"paired bootstrap over images (one-sided, {Replicates} replicates, seed {BootstrapSeed})", observed, low, high, worse);
    }

    /// <summary>
    /// Resamples image indices with replacement <see cref="Replicates"/> times (seed <see cref="BootstrapSeed"/>) and returns the
    /// observed statistic, the percentile interval at level 1 − 2α, and (1 + #replicates not better) / (1 + #replicates),
    /// "better" being sign × statistic &gt; 0. Replicates on which the statistic is undefined are left out.
    /// </summary>
    private static (double Observed, double Low, double High, double P) BootstrapOf(int n, Func<IReadOnlyList<int>, double?> statistic, double alpha, int sign = 1)
    {
        var random = new SplitMix(BootstrapSeed);
        var values = new List<double>(Replicates);
        var idx = new int[n];
        for (var r = 0; r < Replicates; r++)
        {
            for (var i = 0; i < n; i++) idx[i] = (int)(random.NextULong() % (ulong)n);
            if (statistic(idx) is { } v) values.Add(v);
        }
        if (values.Count == 0) throw new RegistryException("the paired bootstrap found the metric undefined on every resample of the evaluation set");
        values.Sort();
        double Quantile(double q) => values[(int)Math.Clamp(Math.Floor(q * (values.Count - 1)), 0, values.Count - 1)];
        var notBetter = values.Count(v => sign * v <= 0);
        return (statistic(Enumerable.Range(0, n).ToArray()) ?? double.NaN, Quantile(alpha), Quantile(1 - alpha), (1.0 + notBetter) / (1.0 + values.Count));
    }
}
