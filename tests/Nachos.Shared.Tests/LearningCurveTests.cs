using Nachos.Shared.Data;
using Nachos.Shared.LearningCurves;
using Nachos.Shared.Spec;
using Nachos.Shared.SpecLoading;
using Nachos.Shared.Splits;
using static Nachos.Shared.Tests.SyntheticManifest;

namespace Nachos.Shared.Tests;

public sealed class LearningCurveTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // ---------- the inverse power law, against scipy.optimize.curve_fit (Reference/learning_curve.py) ----------

    private static void AssertClose(double expected, double actual, double relative = 1e-6) =>
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");

    [Fact]
    public void The_fit_of_noisy_points_from_three_folds_matches_scipy()
    {
        double[] n = [8, 20, 40, 80, 8, 19, 39, 78, 9, 21, 41, 82];
        double[] y = [0.712, 0.801, 0.853, 0.884, 0.695, 0.789, 0.861, 0.879, 0.730, 0.795, 0.842, 0.890];
        var fit = InversePowerLaw.Fit(n, y)!;
        AssertClose(0.99729475695166, fit.A);
        AssertClose(0.6898784912212956, fit.B);
        AssertClose(0.4155543710811094, fit.C);
        AssertClose(0.99729475695166 - 0.6898784912212956 * Math.Pow(50, -0.4155543710811094), fit.At(50));
    }

    [Fact]
    public void An_exact_power_law_is_recovered()
    {
        double[] n = [10, 25, 50, 100, 200];
        var fit = InversePowerLaw.Fit(n, n.Select(x => 0.95 - 0.8 * Math.Pow(x, -0.6)).ToList())!;
        AssertClose(0.95, fit.A);
        AssertClose(0.8, fit.B);
        AssertClose(0.6, fit.C);
    }

    [Fact]
    public void A_falling_metric_gets_a_negative_b_as_scipy_finds()
    {
        double[] n = [10, 25, 50, 100, 12, 24, 48, 96];
        double[] y = [9.0, 6.1, 4.9, 4.1, 8.4, 6.5, 5.0, 4.3];
        var fit = InversePowerLaw.Fit(n, y)!;
        AssertClose(2.6858890156513207, fit.A);
        AssertClose(-27.57605267995559, fit.B);
        AssertClose(0.6369936684319407, fit.C);
    }

    [Fact]
    public void Points_still_rising_get_the_level_on_the_metrics_bound_as_scipy_with_bounds_finds()
    {
        // Unbounded, scipy finds a = 2.17, c = 0.043 (no plateau); curve_fit(bounds=([0, -inf, 0], [1, inf, inf])) puts a on 1.
        double[] n = [40, 39, 40, 99, 103, 101, 204, 202, 199, 402, 402, 402];
        double[] y = [0.7136633663366336, 0.8489799960388196, 0.7134085957615369, 0.7942574257425743, 0.9110714993067934, 0.7797583679936622,
            0.8053465346534654, 0.8974054268171915, 0.831352743117449, 0.8776237623762376, 0.9663299663299664, 0.8519508813626461];
        var fit = InversePowerLaw.Fit(n, y, 0, 1)!;
        AssertClose(1, fit.A);
        AssertClose(0.822448717461606, fit.B);
        AssertClose(0.33310228270766573, fit.C);
        var free = InversePowerLaw.Fit(n, y)!;
        AssertClose(2.16567098, free.A, 1e-2);
    }

    [Fact]
    public void Fewer_than_three_sizes_give_no_fit_and_bad_values_are_refused()
    {
        Assert.Null(InversePowerLaw.Fit([10, 10, 20, 20], [0.7, 0.71, 0.8, 0.81]));
        Assert.Throws<ArgumentException>(() => InversePowerLaw.Fit([10, 20, 0], [0.7, 0.8, 0.9]));
        Assert.Throws<ArgumentException>(() => InversePowerLaw.Fit([10, 20, 30], [0.7, double.NaN, 0.9]));
    }

    // ---------- nested subsets: properties over random manifests ----------

    private static readonly double[] Fractions = [0.1, 0.25, 0.5, 0.75, 1.0];

    [Fact]
    public void Subsets_are_nested_grouped_class_balanced_and_inside_the_outer_train_set()
    {
        for (var seed = 0; seed < 60; seed++)
        {
            var rng = new Random(seed);
            var classes = 2 + seed % 3;
            var manifest = ByPatient(rng, 20 + rng.Next(60), classes);
            var plan = SplitPlanner.Plan(manifest, new SplitSpec(SplitScheme.KFold, 3, 2, 0.2, true, true), seed);
            foreach (var fold in plan.Outer)
            {
                var subsets = NestedSubsets.Select(fold.Train, manifest.ById, Fractions, NestedSubsets.SeedOf(seed, 0));
                var train = fold.Train.ToHashSet();
                Assert.Equal(fold.Train, subsets[^1]);
                for (var i = 0; i < Fractions.Length; i++)
                {
                    var subset = subsets[i];
                    var where = $"seed {seed}, fold {fold.Name}, fraction {Fractions[i]}";
                    Assert.True(subset.All(train.Contains), $"{where}: a sample outside the outer-train set");
                    Assert.Empty(subset.Intersect(fold.Test));
                    if (i > 0) Assert.True(subsets[i - 1].All(subset.Contains), $"{where}: the smaller subset is not inside it");
                    var chosen = subset.ToHashSet();
                    foreach (var patient in fold.Train.GroupBy(id => manifest.ById[id].Group))
                        Assert.True(patient.All(chosen.Contains) || !patient.Any(chosen.Contains), $"{where}: patient {patient.Key} is split");
                    var all = ClassCounts(manifest, fold.Train, classes);
                    var got = ClassCounts(manifest, subset, classes);
                    for (var c = 0; c < classes; c++)
                    {
                        if (all[c] == 0) continue;
                        Assert.True(got[c] >= 1, $"{where}: class {c} lost");
                        // The closest prefix of whole patients: within one patient's images of the class's share (or the one patient kept).
                        Assert.True(Math.Abs(got[c] - Fractions[i] * all[c]) <= MaxImagesPerPatient, $"{where}: class {c} has {got[c]} of {all[c]}");
                    }
                }
            }
        }
    }

    [Fact]
    public void The_same_seed_selects_the_same_images_and_another_seed_others()
    {
        var manifest = ByPatient(new Random(5), 80, 2);
        var ids = manifest.Samples.Select(s => s.Id).ToList();
        var a = NestedSubsets.Select(ids, manifest.ById, [0.3], NestedSubsets.SeedOf(42, 1));
        var b = NestedSubsets.Select(ids, manifest.ById, [0.3], NestedSubsets.SeedOf(42, 1));
        var c = NestedSubsets.Select(ids, manifest.ById, [0.3], NestedSubsets.SeedOf(42, 2));
        Assert.Equal(a[0], b[0]);
        Assert.NotEqual(a[0], c[0]);
    }

    [Fact]
    public void A_fraction_is_taken_as_the_closest_count_of_whole_patients()
    {
        // Ten patients of one class with 2 images each: 0.25 of 20 images is 5, closest 4 or 6 -> the smaller (4: two patients).
        var manifest = Of(["a"], Enumerable.Range(0, 10).SelectMany(p => new[] { ($"p{p}-0", $"p{p}", 0, (string?)null), ($"p{p}-1", $"p{p}", 0, (string?)null) }).ToArray());
        var subsets = NestedSubsets.Select(manifest.Samples.Select(s => s.Id).ToList(), manifest.ById, [0.01, 0.25, 0.5], 7);
        Assert.Equal([2, 4, 10], subsets.Select(s => s.Count));
    }

    // ---------- the report ----------

    private static IReadOnlyList<LearningCurveReport.Measured> Fold(int full, params double[] auroc) =>
        new[] { 0.1, 0.25, 0.5, 1.0 }.Select((f, i) => new LearningCurveReport.Measured(f, (int)Math.Round(f * full), new Dictionary<string, double?> { ["auroc"] = auroc[i] })).ToList();

    [Fact]
    public void The_report_gives_per_fraction_t_intervals_the_least_fraction_within_delta_and_a_fit()
    {
        var report = LearningCurveReport.Build("s", "auroc", ["auroc"], 0.02, [0, 1, 2],
            [Fold(80, 0.70, 0.80, 0.86, 0.88), Fold(78, 0.69, 0.79, 0.87, 0.88), Fold(82, 0.73, 0.79, 0.84, 0.89)], seed: 1);
        Assert.Equal([0.1, 0.25, 0.5, 1.0], report.Points.Select(p => p.Fraction));
        Assert.Equal([8, 8, 8], report.Points[0].Images);
        var half = report.Points[2].Of("auroc")!;
        Assert.Equal(0.8566666666666666, half.Mean!.Value, 12);
        // scipy.stats.t.interval(0.95, 2, loc=mean([.86, .87, .84]), scale=sem([.86, .87, .84]))
        Assert.Equal(0.8187208363292718, half.CiLow!.Value, 9);
        Assert.Equal(0.8946124970040613, half.CiHigh!.Value, 9);
        // Full data 0.8833; 0.5 reaches 0.8567 < 0.8633: only the full data is within 0.02.
        Assert.Equal(1.0, report.Enough!.Fraction);
        var looser = LearningCurveReport.Build("s", "auroc", ["auroc"], 0.03, [0, 1, 2],
            [Fold(80, 0.70, 0.80, 0.86, 0.88), Fold(78, 0.69, 0.79, 0.87, 0.88), Fold(82, 0.73, 0.79, 0.84, 0.89)], seed: 1);
        Assert.Equal(0.5, looser.Enough!.Fraction);
        Assert.Equal(40, looser.Enough.MeanImages);
        var fit = Assert.IsType<CurveFit>(report.Fit);
        Assert.Equal(1000, fit.Replicates);
        Assert.True(fit.Fitted >= 500);
        Assert.True(fit.ALow <= fit.A && fit.A <= fit.AHigh, $"a = {fit.A} outside its interval [{fit.ALow}, {fit.AHigh}]");
        Assert.All(fit.Band, b => Assert.True(b.Low <= b.High));
        // Deterministic: the same inputs give the same band.
        var again = LearningCurveReport.Build("s", "auroc", ["auroc"], 0.02, [0, 1, 2],
            [Fold(80, 0.70, 0.80, 0.86, 0.88), Fold(78, 0.69, 0.79, 0.87, 0.88), Fold(82, 0.73, 0.79, 0.84, 0.89)], seed: 1);
        Assert.Equal(fit.Band, again.Fit!.Band);
        var path = Path.Combine(_dir.Path, LearningCurveReport.FileName);
        report.Write(_dir.Path);
        var read = LearningCurveReport.Read(path);
        Assert.Equal(report.Enough, read.Enough);
        Assert.Equal(report.Fit!.A, read.Fit!.A);
    }

    [Fact]
    public void Two_fractions_give_no_fit_and_say_why()
    {
        var measured = new[] { 0.5, 1.0 }.Select(f => (IReadOnlyList<LearningCurveReport.Measured>)
            [new LearningCurveReport.Measured(0.5, 10, new Dictionary<string, double?> { ["auroc"] = 0.8 }), new LearningCurveReport.Measured(1.0, 20, new Dictionary<string, double?> { ["auroc"] = 0.85 })]).ToList();
        var report = LearningCurveReport.Build("s", "auroc", ["auroc"], 0.1, [0, 1], measured, 0);
        Assert.Null(report.Fit);
        Assert.Contains("needs at least 3", report.FitProblem);
        Assert.Equal(0.5, report.Enough!.Fraction);
    }

    [Fact]
    public void A_damaged_file_is_refused_naming_it()
    {
        var path = _dir.Write(LearningCurveReport.FileName, "{\"format\": 1, \"points\": [");
        var e = Assert.Throws<InvalidDataException>(() => LearningCurveReport.Read(path));
        Assert.StartsWith($"{path}: not a learning curve", e.Message);
    }

    // ---------- the spec section ----------

    private const string Spec = """
        name: t1
        task: binary
        dataset:
          manifest: data.csv
          classes: [neg, pos]
        """;

    private StudySpec Load(string section)
    {
        _dir.Write("data.csv", "image,label\na.png,neg\nb.png,pos\n");
        return SpecLoader.LoadFile(_dir.Write("spec.yaml", Spec + "\n" + section));
    }

    [Fact]
    public void The_section_loads_with_defaults_and_always_ends_with_the_refit()
    {
        Assert.Null(Load("").LearningCurve);
        Assert.Equal(new[] { 0.1, 0.25, 0.5, 1.0 }, Load("learning_curve: {}").LearningCurve!.Fractions);
        var spec = Load("learning_curve:\n  fractions: [0.5, 0.2]\n  delta: 0.05").LearningCurve!;
        Assert.Equal(new[] { 0.2, 0.5, 1.0 }, spec.Fractions);
        Assert.Equal(0.05, spec.Delta);
    }

    [Theory]
    [InlineData("fractions: [0, 0.5]", "learning_curve.fractions", "each fraction must be > 0 and <= 1, got 0")]
    [InlineData("fractions: [0.5, 1.5]", "learning_curve.fractions", "each fraction must be > 0 and <= 1, got 1.5")]
    [InlineData("fractions: [0.5, 0.5]", "learning_curve.fractions", "lists a fraction twice")]
    [InlineData("fractions: [1]", "learning_curve.fractions", "needs at least one fraction below 1")]
    [InlineData("fractions: [a]", "learning_curve.fractions", "expected numbers, got 'a'")]
    [InlineData("delta: -0.1", "learning_curve.delta", "must be >= 0")]
    [InlineData("deltas: 0.1", "learning_curve.deltas", "unknown key 'deltas' (did you mean 'delta'?)")]
    public void A_bad_value_is_an_error_naming_its_key_and_line(string line, string key, string message)
    {
        var e = Assert.Throws<SpecException>(() => Load($"learning_curve:\n  {line}"));
        var error = Assert.Single(e.Errors);
        Assert.Equal(key, error.Path);
        Assert.Equal(7, error.Line);
        Assert.Contains(message, error.Message);
    }
}
