using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.Shared.SpecLoading;

namespace Nachos.Shared.Tests;

public sealed class StudyReportTests
{
    private static StudySpec Spec() => SpecLoader.Parse("""
        name: report-test
        seed: 17
        task: binary
        dataset:
          synthetic: { patients: 20 }
          classes: [normal, lesion]
        """, Path.Combine(Path.GetTempPath(), "report-test.yaml"));

    /// <summary>Binary manifest: patients p0..p7, two images each; even patients are normal (0), odd ones lesion (1).</summary>
    private static Manifest Manifest() => new("hand-made", TaskKind.Binary, ["normal", "lesion"],
        Enumerable.Range(0, 8).SelectMany(p => Enumerable.Range(0, 2).Select(i =>
            new Sample($"p{p}-i{i}", 2 + 2 * p + i, $"/data/p{p}-i{i}.png", [p % 2], null, $"p{p}", "site0", null))).ToArray());

    private static readonly Hyperparameters AdamHigh = Hyperparameters.Empty.With("learning_rate", "0.01").With("optimizer", "adam");
    private static readonly Hyperparameters SgdHigh = Hyperparameters.Empty.With("learning_rate", "0.01").With("optimizer", "sgd");
    private static readonly Hyperparameters AdamLow = Hyperparameters.Empty.With("learning_rate", "0.001").With("optimizer", "adam");

    private static FoldResult Fold(int outer, Hyperparameters? config, double? auroc, double accuracy, string? failure = null) =>
        new(outer, config is null ? null : outer + 10, config, config is null ? null : 0.85, config is null ? null : 0.02, config is null ? 0 : 7,
            new Dictionary<string, double?> { ["auroc"] = auroc, ["accuracy"] = accuracy },
            [new TrialResult(outer + 10, config ?? Hyperparameters.Empty, 0.85, 0.02, 6.5, [0.8, 0.9], null)],
            failure);

    /// <summary>Predictions of every image of the given patients; <paramref name="correct"/> decides which side of 0.5 they fall on.</summary>
    private static IReadOnlyList<Prediction> Predict(Manifest m, bool correct, params int[] patients) =>
        patients.SelectMany(p => Enumerable.Range(0, 2).Select(i =>
        {
            var s = m.ById[$"p{p}-i{i}"];
            var lesion = (s.Labels[0] == 1) == correct ? 0.9 - 0.1 * i : 0.1 + 0.1 * i;
            return new Prediction(s.Id, s.Labels, [1 - lesion, lesion]);
        })).ToList();

    private static MetricSummary Metric(StudyReport r, string name) => r.Metrics.Single(m => m.Metric == name);

    [Fact]
    public void Build_summarises_per_fold_values_in_fold_order()
    {
        var m = Manifest();
        // Given out of order.
        var folds = new[] { Fold(2, AdamLow, null, 0.7), Fold(0, AdamHigh, 0.9, 0.8), Fold(1, SgdHigh, 0.7, 0.6) };

        var report = StudyReport.Build("st", Spec(), m, folds, new Dictionary<int, IReadOnlyList<Prediction>>());

        Assert.Equal("st", report.StudyId);
        Assert.True(report.Complete);
        Assert.Equal([0, 1, 2], report.Folds.Select(f => f.Outer));
        Assert.Equal(SpecNames.ImageMetrics, report.Metrics.Select(x => x.Metric));

        var auroc = Metric(report, "auroc");
        Assert.Equal([0.9, 0.7, null], auroc.PerFold);
        // Summary of the defined values only: {0.9, 0.7}: mean 0.8, SD 0.2/√2, SE 0.1.
        Assert.Equal(2, auroc.Summary!.Count);
        Assert.Equal(0.8, auroc.Summary.Mean, 12);
        Assert.Equal(0.2 / Math.Sqrt(2), auroc.Summary.StandardDeviation!.Value, 12);
        Assert.Equal(0.1, auroc.Summary.StandardError!.Value, 12);
        // A proportion's interval stays within [0, 1]: 0.8 ± t(0.975, 1)·0.1 would be −0.47 … 2.07.
        Assert.Equal((0.0, 1.0), (auroc.Summary.CiLow!.Value, auroc.Summary.CiHigh!.Value));

        var accuracy = Metric(report, "accuracy");
        Assert.Equal([0.8, 0.6, 0.7], accuracy.PerFold);
        Assert.Equal(3, accuracy.Summary!.Count);
        Assert.Equal(0.7, accuracy.Summary.Mean, 12);
        Assert.Equal(0.1, accuracy.Summary.StandardDeviation!.Value, 12);

        // A metric no fold has: all null, no summary.
        var f1 = Metric(report, "f1");
        Assert.Equal([null, null, null], f1.PerFold);
        Assert.Null(f1.Summary);
        // No predictions, no bootstrap.
        Assert.Null(auroc.BootstrapLow);
        Assert.Null(auroc.BootstrapHigh);
    }

    [Fact]
    public void Stability_counts_how_often_each_value_was_chosen()
    {
        var folds = new[] { Fold(0, AdamHigh, 0.9, 0.8), Fold(1, SgdHigh, 0.7, 0.6), Fold(2, AdamLow, 0.8, 0.7), Fold(3, null, null, 0, "all 4 trials failed") };

        var report = StudyReport.Build("st", Spec(), Manifest(), folds, new Dictionary<int, IReadOnlyList<Prediction>>());

        Assert.Equal(["learning_rate", "optimizer"], report.Stability.Select(s => s.Parameter).Order(StringComparer.Ordinal));
        var lr = report.Stability.Single(s => s.Parameter == "learning_rate").Chosen;
        Assert.Equal(2, lr.Count);
        Assert.Equal(2, lr["0.01"]);
        Assert.Equal(1, lr["0.001"]);
        var opt = report.Stability.Single(s => s.Parameter == "optimizer").Chosen;
        Assert.Equal(2, opt["adam"]);
        Assert.Equal(1, opt["sgd"]);
        // The failed fold chose nothing.
        Assert.Equal(3, lr.Values.Sum());
    }

    [Fact]
    public void A_failed_fold_makes_the_report_incomplete()
    {
        var folds = new[] { Fold(0, AdamHigh, 0.9, 0.8), Fold(1, null, null, 0, "refit failed: node lost") };

        var report = StudyReport.Build("st", Spec(), Manifest(), folds, new Dictionary<int, IReadOnlyList<Prediction>>());

        Assert.False(report.Complete);
        Assert.Equal("refit failed: node lost", report.Folds[1].Failure);
    }

    [Fact]
    public void Bootstrap_interval_is_the_mean_over_folds_of_patient_level_resamples()
    {
        var m = Manifest();
        // Fold 0 predicts every test patient right, fold 1 every one wrong: accuracy 1 and 0 in every resample,
        // so the interval of their mean is the point 0.5 (resampling patients pooled over both folds would spread it).
        var predictions = new Dictionary<int, IReadOnlyList<Prediction>>
        {
            [0] = Predict(m, correct: true, 0, 1, 2, 3),
            [1] = Predict(m, correct: false, 4, 5, 6, 7),
        };
        var folds = new[] { Fold(0, AdamHigh, 1.0, 1.0), Fold(1, SgdHigh, 0.0, 0.0) };

        var report = StudyReport.Build("st", Spec(), m, folds, predictions);

        var accuracy = Metric(report, "accuracy");
        Assert.Equal(0.5, accuracy.BootstrapLow!.Value, 12);
        Assert.Equal(0.5, accuracy.BootstrapHigh!.Value, 12);
        // AUROC is 1 and 0 whenever both classes are drawn (resamples with one class are skipped).
        var auroc = Metric(report, "auroc");
        Assert.Equal(0.5, auroc.BootstrapLow!.Value, 12);
        Assert.Equal(0.5, auroc.BootstrapHigh!.Value, 12);
    }

    [Fact]
    public void Bootstrap_resamples_patients_not_images()
    {
        var m = Manifest();
        // Fold 1's test set is a single patient (two images): no patient-level resampling is possible.
        var predictions = new Dictionary<int, IReadOnlyList<Prediction>>
        {
            [0] = Predict(m, correct: true, 0, 1, 2, 3),
            [1] = Predict(m, correct: true, 5),
        };
        var folds = new[] { Fold(0, AdamHigh, 1.0, 1.0), Fold(1, SgdHigh, null, 1.0) };

        var report = StudyReport.Build("st", Spec(), m, folds, predictions);

        Assert.All(report.Metrics, x => Assert.Null(x.BootstrapLow));
        Assert.All(report.Metrics, x => Assert.Null(x.BootstrapHigh));
    }

    [Fact]
    public void Bootstrap_interval_of_a_noisy_fold_contains_its_accuracy()
    {
        var m = Manifest();
        // Patients 0..3 right, 4 and 5 wrong: accuracy over the 6 patients' 12 images = 8/12.
        var preds = Predict(m, correct: true, 0, 1, 2, 3).Concat(Predict(m, correct: false, 4, 5)).ToList();
        var predictions = new Dictionary<int, IReadOnlyList<Prediction>> { [0] = preds };

        var report = StudyReport.Build("st", Spec(), m, [Fold(0, AdamHigh, 0.5, 8 / 12.0)], predictions);

        var accuracy = Metric(report, "accuracy");
        Assert.True(accuracy.BootstrapLow < 8 / 12.0 && 8 / 12.0 < accuracy.BootstrapHigh, $"[{accuracy.BootstrapLow}, {accuracy.BootstrapHigh}]");
        Assert.InRange(accuracy.BootstrapLow!.Value, 0.0, 1.0);
        Assert.InRange(accuracy.BootstrapHigh!.Value, 0.0, 1.0);
    }

    [Fact]
    public void Report_csv_has_the_folds_then_the_mean_and_both_intervals_of_every_test_metric()
    {
        using var dir = new TempDir();
        var folds = new[] { Fold(1, SgdHigh, 0.7, 0.6), Fold(0, AdamHigh, 0.9, 0.8), Fold(2, null, null, 0, "all 3 trials failed") };
        var report = StudyReport.Build("my-study", Spec(), Manifest(), folds, new Dictionary<int, IReadOnlyList<Prediction>>());

        report.Write(dir.Path);

        using var reader = new CsvReader(new StreamReader(Path.Combine(dir.Path, "report.csv")), CultureInfo.InvariantCulture);
        reader.Read();
        reader.ReadHeader();
        Assert.Equal("outer_fold", reader.HeaderRecord![0]);
        Assert.Contains("test_auroc", reader.HeaderRecord);
        var rows = new List<(string Row, string Auroc, string Trial)>();
        while (reader.Read()) rows.Add((reader.GetField("outer_fold")!, reader.GetField("test_auroc")!, reader.GetField("chosen_trial")!));
        Assert.Equal(["0", "1", "2", "mean", "ci_t_low", "ci_t_high", "bootstrap_low", "bootstrap_high"], rows.Select(r => r.Row));
        Assert.All(rows.Skip(3), r => Assert.Equal("", r.Trial)); // the estimate's rows have test values only
        Assert.Equal(("0.9", "0.7", ""), (rows[0].Auroc, rows[1].Auroc, rows[2].Auroc));
        var auroc = report.Metrics.Single(m => m.Metric == "auroc").Summary!;
        Assert.Equal(0.8, double.Parse(rows[3].Auroc, CultureInfo.InvariantCulture), 12);
        Assert.Equal(auroc.CiLow, double.Parse(rows[4].Auroc, CultureInfo.InvariantCulture));
        Assert.Equal(auroc.CiHigh, double.Parse(rows[5].Auroc, CultureInfo.InvariantCulture));
        Assert.Equal(("", ""), (rows[6].Auroc, rows[7].Auroc)); // no test predictions: no bootstrap
    }

    [Fact]
    public void Write_produces_report_json_and_csv_that_parse_back()
    {
        using var dir = new TempDir();
        var folds = new[] { Fold(1, SgdHigh, 0.7, 0.6), Fold(0, AdamHigh, 0.9, 0.8), Fold(2, null, null, 0, "all 3 trials failed, \"really\"") };
        var report = StudyReport.Build("my-study", Spec(), Manifest(), folds, new Dictionary<int, IReadOnlyList<Prediction>>());
        var outDir = dir.File("reports/my-study");

        report.Write(outDir);

        Assert.Equal(["report.csv", "report.json"], Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json"))))
        {
            var root = json.RootElement;
            Assert.Equal("my-study", root.GetProperty("study_id").GetString());
            Assert.False(root.GetProperty("complete").GetBoolean());
            var jsonFolds = root.GetProperty("folds").EnumerateArray().ToList();
            Assert.Equal([0, 1, 2], jsonFolds.Select(f => f.GetProperty("outer").GetInt32()));
            Assert.Equal(10, jsonFolds[0].GetProperty("chosen_trial").GetInt32());
            Assert.Equal(JsonValueKind.Null, jsonFolds[2].GetProperty("chosen_trial").ValueKind);
            Assert.Equal("all 3 trials failed, \"really\"", jsonFolds[2].GetProperty("failure").GetString());
            var auroc = root.GetProperty("metrics").EnumerateArray().Single(x => x.GetProperty("metric").GetString() == "auroc");
            var perFold = auroc.GetProperty("per_fold").EnumerateArray().ToList();
            Assert.Equal(0.9, perFold[0].GetDouble(), 12);
            Assert.Equal(0.7, perFold[1].GetDouble(), 12);
            Assert.Equal(JsonValueKind.Null, perFold[2].ValueKind);
            Assert.Equal(0.8, auroc.GetProperty("summary").GetProperty("mean").GetDouble(), 12);
            Assert.Equal(2, auroc.GetProperty("summary").GetProperty("count").GetInt32());
            var stability = root.GetProperty("stability").EnumerateArray().Single(x => x.GetProperty("parameter").GetString() == "optimizer");
            Assert.Equal(1, stability.GetProperty("chosen").GetProperty("adam").GetInt32());
            Assert.Equal(1, stability.GetProperty("chosen").GetProperty("sgd").GetInt32());
        }

        using var reader = new StreamReader(Path.Combine(outDir, "report.csv"));
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        csv.Read();
        csv.ReadHeader();
        var header = csv.HeaderRecord!;
        Assert.Equal(["outer_fold", "chosen_trial", "config", "inner_score", "inner_se", "refit_epochs"], header.Take(6));
        Assert.Equal(SpecNames.ImageMetrics.Select(x => "test_" + x), header.Skip(6).Take(SpecNames.ImageMetrics.Count));
        Assert.Equal("failure", header.Last());
        var rows = new List<Dictionary<string, string>>();
        while (csv.Read()) rows.Add(header.ToDictionary(h => h, h => csv.GetField(h) ?? ""));

        Assert.Equal(3 + 5, rows.Count);
        Assert.Equal(["0", "1", "2", "mean", "ci_t_low", "ci_t_high", "bootstrap_low", "bootstrap_high"], rows.Select(r => r["outer_fold"]));
        Assert.Equal("10", rows[0]["chosen_trial"]);
        Assert.Equal(AdamHigh.ToString(), rows[0]["config"]); // holds a comma: quoted in the file
        Assert.Equal(0.85, double.Parse(rows[0]["inner_score"], CultureInfo.InvariantCulture), 12);
        Assert.Equal("7", rows[0]["refit_epochs"]);
        Assert.Equal(0.9, double.Parse(rows[0]["test_auroc"], CultureInfo.InvariantCulture), 12);
        Assert.Equal(0.6, double.Parse(rows[1]["test_accuracy"], CultureInfo.InvariantCulture), 12);
        Assert.Equal("", rows[0]["failure"]);
        Assert.Equal("", rows[2]["chosen_trial"]);
        Assert.Equal("", rows[2]["test_auroc"]);
        Assert.Equal("all 3 trials failed, \"really\"", rows[2]["failure"]);
    }

    [Fact]
    public void Read_gives_back_the_report_that_Write_stored()
    {
        using var dir = new TempDir();
        var folds = new[] { Fold(1, SgdHigh, 0.7, 0.6), Fold(0, AdamHigh, 0.9, 0.8), Fold(2, null, null, 0, "all 3 trials failed") };
        var report = StudyReport.Build("my-study", Spec(), Manifest(), folds, new Dictionary<int, IReadOnlyList<Prediction>>());
        report.Write(dir.File("first"));

        var read = StudyReport.Read(dir.File("first/report.json"));
        read.Write(dir.File("second"));

        Assert.Equal(File.ReadAllText(dir.File("first/report.json")), File.ReadAllText(dir.File("second/report.json")));
        Assert.Equal(AdamHigh, read.Folds[0].Config);
        Assert.Equal(0.9, read.Folds[0].TestMetrics["auroc"]);
        Assert.Null(read.Folds[2].TestMetrics.GetValueOrDefault("auroc"));
    }

    [Fact]
    public void Write_replaces_an_earlier_report()
    {
        using var dir = new TempDir();
        var spec = Spec();
        StudyReport.Build("st", spec, Manifest(), [Fold(0, AdamHigh, 0.9, 0.8), Fold(1, null, null, 0, "x")], new Dictionary<int, IReadOnlyList<Prediction>>()).Write(dir.Path);
        StudyReport.Build("st", spec, Manifest(), [Fold(0, AdamHigh, 0.9, 0.8)], new Dictionary<int, IReadOnlyList<Prediction>>()).Write(dir.Path);

        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("report.json")));
        Assert.True(json.RootElement.GetProperty("complete").GetBoolean());
        Assert.Equal(1 + 1 + 5, File.ReadAllLines(dir.File("report.csv")).Length); // header, one fold, the mean and four interval ends
        Assert.Equal(2, Directory.GetFiles(dir.Path).Length);
    }
}
