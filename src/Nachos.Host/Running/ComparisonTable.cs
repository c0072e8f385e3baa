using System.Globalization;
using Nachos.Shared.Comparison;
using Nachos.Shared.Metrics;
using Spectre.Console;

namespace Nachos.Host.Running;

/// <summary><c>nachos compare</c>'s terminal output: the studies' per-fold metric, then every pair's tests, then the rank test.</summary>
public static class ComparisonTable
{
    private static string F(double? v) => MetricText.Show(v, "-");

    /// <summary>A p-value to three significant digits, small ones in exponent form.</summary>
    public static string P(double? p) => p switch
    {
        null => "n/a",
        < 0.001 => p.Value.ToString("0.00e+0", CultureInfo.InvariantCulture),
        _ => p.Value.ToString("0.###", CultureInfo.InvariantCulture),
    };

    public static string PooledName(string? test) => test switch
    {
        "delong" => "DeLong, pooled AUROC",
        "wilcoxon" => "Wilcoxon, per-image Dice",
        _ => "pooled",
    };

    public static void Write(StudyComparison c, IAnsiConsole console)
    {
        var direction = c.HigherIsBetter ? "higher is better" : "lower is better";
        var studies = new Table().Title($"outer test {Markup.Escape(c.Metric)} per fold ({direction})").AddColumn("study");
        foreach (var k in c.Folds) studies.AddColumn(new TableColumn($"fold {k}").RightAligned());
        studies.AddColumn(new TableColumn("mean").RightAligned());
        if (c.PooledTest is not null) studies.AddColumn(new TableColumn(c.PooledTest == "delong" ? "pooled AUROC" : "mean Dice").RightAligned());
        if (c.Ranks is not null) studies.AddColumn(new TableColumn("avg rank").RightAligned());
        foreach (var s in c.Studies)
        {
            var cells = new List<string> { Markup.Escape(s.Name) };
            cells.AddRange(s.PerFold.Select(v => F(v)));
            cells.Add(F(s.Mean));
            if (c.PooledTest is not null) cells.Add(F(s.Pooled));
            if (c.Ranks is not null) cells.Add(s.AverageRank?.ToString("F2", CultureInfo.InvariantCulture) ?? "-");
            studies.AddRow(cells.ToArray());
        }
        console.Write(studies);

        var pairs = new Table().Title("pairs (first − second)").AddColumns("first", "second")
            .AddColumn(new TableColumn("mean diff").RightAligned()).AddColumn(new TableColumn("t (df)").RightAligned())
            .AddColumn(new TableColumn("p").RightAligned()).AddColumn(new TableColumn("p Holm").RightAligned());
        if (c.PooledTest is not null)
            pairs.AddColumn(new TableColumn(c.PooledTest == "delong" ? "AUROC first / second" : "Dice first / second").RightAligned())
                .AddColumn(new TableColumn(c.PooledTest == "delong" ? "z" : "W").RightAligned())
                .AddColumn(new TableColumn($"p {c.PooledTest}").RightAligned()).AddColumn(new TableColumn($"p {c.PooledTest} Holm").RightAligned());
        foreach (var p in c.Pairs)
        {
            var cells = new List<string>
            {
                Markup.Escape(p.First), Markup.Escape(p.Second), p.MeanDifference.ToString("+0.0000;-0.0000;0", CultureInfo.InvariantCulture),
                p.T is { } t ? $"{t.ToString("F3", CultureInfo.InvariantCulture)} ({p.DegreesOfFreedom})" : "-", P(p.P), P(p.PHolm),
            };
            if (c.PooledTest is not null)
            {
                var q = p.Pooled;
                cells.AddRange([$"{F(q?.First)} / {F(q?.Second)}", q?.Statistic is { } z ? z.ToString(c.PooledTest == "delong" ? "F3" : "0.#", CultureInfo.InvariantCulture) : "-", P(q?.P), P(q?.PHolm)]);
            }
            pairs.AddRow(cells.ToArray());
        }
        console.Write(pairs);
        foreach (var p in c.Pairs)
            foreach (var note in new[] { p.Note, p.Pooled?.Note }.OfType<string>())
                console.WriteLine($"{p.First} vs {p.Second}: {note}");

        console.WriteLine($"t: Nadeau–Bengio corrected resampled t-test over the {c.Folds.Count} outer folds' differences, " +
                          $"n_test/n_train = {c.TestSamples}/{c.TrainSamples} = {c.TestTrainRatio.ToString("0.###", CultureInfo.InvariantCulture)}; " +
                          $"p Holm: adjusted across the {c.Pairs.Count} pair(s).");
        console.WriteLine(c.PooledTest switch
        {
            "delong" => "DeLong: two correlated AUROCs on the pooled out-of-fold test predictions (every sample once).",
            "wilcoxon" => "W: Wilcoxon signed-rank test over the pooled out-of-fold per-image Dice (images with a Dice from both studies).",
            _ => c.PooledNote ?? "",
        });
        if (c.Ranks is { } r)
        {
            var significant = r.SignificantPairs.Count == 0 ? "no pair" : string.Join(", ", r.SignificantPairs.Select(s => $"{s.First} vs {s.Second}"));
            console.WriteLine(r.ChiSquare is { } chi
                ? $"Friedman over the folds: χ² = {chi.ToString("F3", CultureInfo.InvariantCulture)} (df {r.DegreesOfFreedom}), p = {P(r.P)}; " +
                  (r.CriticalDifference is { } cd ? $"Nemenyi critical difference {cd.ToString("F3", CultureInfo.InvariantCulture)} at α = {c.Alpha.ToString(CultureInfo.InvariantCulture)}: differ: {significant}." : r.Note)
                : $"Friedman over the folds: {r.Note}.");
        }
    }
}
