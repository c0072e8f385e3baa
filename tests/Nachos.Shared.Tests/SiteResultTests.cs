using Nachos.Shared.Data;
using Nachos.Shared.Evaluation;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;

namespace Nachos.Shared.Tests;

/// <summary>
/// The report's per-site figures on the constructed binary set of <see cref="EvaluationTests"/> (its per-site values are
/// scikit-learn's, Reference/evaluation_reference.py), split into two outer test folds: sites A and B, then site C.
/// </summary>
public sealed class SiteResultTests
{
    private static readonly (string Id, string Patient, string Site, int Truth, double P)[] Rows =
    [
        ("i01", "P1", "A", 1, 0.9), ("i02", "P1", "A", 0, 0.3), ("i03", "P2", "A", 1, 0.5), ("i04", "P2", "A", 0, 0.5),
        ("i05", "P3", "A", 0, 0.7), ("i06", "P3", "A", 1, 0.7), ("i07", "P4", "B", 1, 0.3), ("i08", "P4", "B", 0, 0.1),
        ("i09", "P5", "B", 0, 0.2), ("i10", "P5", "B", 1, 0.8), ("i11", "P6", "B", 0, 0.6), ("i12", "P6", "B", 1, 0.65),
        ("i13", "P7", "C", 0, 0.05), ("i14", "P7", "C", 0, 0.3), ("i15", "P8", "C", 1, 0.95), ("i16", "P8", "C", 1, 0.3),
        ("i17", "P9", "C", 0, 0.5), ("i18", "P9", "C", 1, 0.45), ("i19", "P10", "C", 0, 0.2), ("i20", "P10", "C", 1, 0.7),
    ];

    private static Manifest Manifest(bool sites = true) => new("constructed", TaskKind.Binary, ["normal", "lesion"],
        Rows.Select((r, i) => new Sample(r.Id, i + 2, r.Id + ".png", [r.Truth], null, r.Patient, sites ? r.Site : null, null)).ToList());

    private static Prediction Of((string Id, string Patient, string Site, int Truth, double P) r) => new(r.Id, [r.Truth], [1 - r.P, r.P]);

    private static IReadOnlyDictionary<int, IReadOnlyList<Prediction>> Folds(params string[][] sitesPerFold) =>
        sitesPerFold.Select((sites, k) => (k, (IReadOnlyList<Prediction>)Rows.Where(r => sites.Contains(r.Site)).Select(Of).ToList())).ToDictionary(x => x.k, x => x.Item2);

    private static void AssertValues(double[] expected, SiteResult site)
    {
        var values = SpecNames.ImageMetrics.Select(m => site.Of(m)!.Value!.Value).ToArray();
        for (var i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - values[i]) < 1e-12, $"{site.Site} {SpecNames.ImageMetrics[i]}: {values[i]} != {expected[i]}");
    }

    [Fact]
    public void Each_site_within_each_fold_gets_sklearns_values_and_the_evaluate_commands_bootstrap()
    {
        var sites = SiteResult.Build(TaskKind.Binary, Manifest(), Folds(["A", "B"], ["C"]), _ => 0.5, 1000, 0)!;
        Assert.Equal([(0, "A", 6, 3), (0, "B", 6, 3), (1, "C", 8, 4)], sites.Select(s => (s.Outer, s.Site, s.Images, s.Patients)));
        AssertValues([0.7777777777777778, 0.6666666666666666, 0.6666666666666666, 0.7499999999999999, 1.0, 0.3333333333333333], sites[0]);
        AssertValues([0.888888888888889, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666], sites[1]);
        AssertValues([0.84375, 0.625, 0.625, 0.5714285714285715, 0.5, 0.75], sites[2]);
        // The same images through nachos evaluate --by site (seed 0): the same intervals, one bootstrap for both.
        using var dir = new TempDir();
        var path = dir.Write("eval.csv", EvaluationTests.BinaryCsv());
        var evaluated = EvaluationReport.Build(EvaluationInput.ReadPredictions(path, TaskKind.Binary), Breakdown.Site);
        for (var g = 0; g < 3; g++)
            Assert.Equal(evaluated.Groups[g].Metrics, sites[g].Metrics);
        Assert.All(sites.SelectMany(s => s.Metrics), m => Assert.True(m.Low <= m.Value && m.Value <= m.High, $"{m.Metric}: {m.Value} outside {m.Low}–{m.High}"));
        Assert.False(SiteResult.AreExternal(sites));
    }

    [Fact]
    public void A_folds_own_threshold_applies_to_its_sites()
    {
        var sites = SiteResult.Build(TaskKind.Binary, Manifest(), Folds(["A", "B"], ["C"]), k => k == 1 ? 0.4 : 0.5, 200, 0)!;
        // Site C at p >= 0.4: 6 of 8 right, 3 of 4 lesions and 3 of 4 normals; AUROC does not depend on the threshold.
        Assert.Equal(0.75, sites[2].Of("accuracy")!.Value!.Value, 12);
        Assert.Equal(0.75, sites[2].Of("sensitivity")!.Value!.Value, 12);
        Assert.Equal(0.75, sites[2].Of("specificity")!.Value!.Value, 12);
        Assert.Equal(0.84375, sites[2].Of("auroc")!.Value!.Value, 12);
    }

    [Fact]
    public void Leave_site_out_folds_are_each_site_as_an_external_test_set()
    {
        var sites = SiteResult.Build(TaskKind.Binary, Manifest(), Folds(["A"], ["B"], ["C"]), _ => 0.5, 200, 0)!;
        Assert.Equal([(0, "A"), (1, "B"), (2, "C")], sites.Select(s => (s.Outer, s.Site)));
        Assert.True(SiteResult.AreExternal(sites));
    }

    [Fact]
    public void A_dataset_without_sites_has_no_site_figures()
    {
        Assert.Null(SiteResult.Build(TaskKind.Binary, Manifest(sites: false), Folds(["A", "B"], ["C"]), _ => 0.5, 200, 0));
    }

    [Fact]
    public void Report_json_carries_the_sites_only_when_there_are_some()
    {
        var sites = SiteResult.Build(TaskKind.Binary, Manifest(), Folds(["A"], ["B"]), _ => 0.5, 200, 0)!;
        var report = new StudyReport("s", true, [], [], []) { Sites = sites };
        var json = System.Text.Json.JsonSerializer.Serialize(report, Nachos.Shared.Files.FileJson.Options);
        Assert.Contains("\"sites\":", json);
        var read = StudyReport.Parse(json);
        Assert.Equal(sites.Select(s => (s.Outer, s.Site, s.Images, s.Patients)), read.Sites!.Select(s => (s.Outer, s.Site, s.Images, s.Patients)));
        Assert.Equal(sites[1].Metrics, read.Sites![1].Metrics);
        var without = System.Text.Json.JsonSerializer.Serialize(new StudyReport("s", true, [], [], []), Nachos.Shared.Files.FileJson.Options);
        Assert.DoesNotContain("sites", without);
        Assert.Null(StudyReport.Parse(without).Sites);
    }
}
