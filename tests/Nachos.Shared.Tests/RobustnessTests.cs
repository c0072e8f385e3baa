using System.Globalization;
using Nachos.Shared.Robustness;
using Nachos.Tests;

namespace Nachos.Shared.Tests;

public sealed class RobustnessTests
{
    [Theory]
    [InlineData("1-5", new[] { 1, 2, 3, 4, 5 })]
    [InlineData("3", new[] { 3 })]
    [InlineData("5,1,3", new[] { 1, 3, 5 })]
    [InlineData("1-2,4-5", new[] { 1, 2, 4, 5 })]
    public void Severities_parse_as_ranges_lists_or_one(string text, int[] expected) =>
        Assert.Equal(expected, StressSelection.ParseSeverities(text, "--severities"));

    [Theory]
    [InlineData("0-5")]
    [InlineData("6")]
    [InlineData("4-2")]
    [InlineData("a")]
    [InlineData("")]
    [InlineData("-1")]
    public void A_severity_outside_1_to_5_or_malformed_is_refused_naming_it(string text)
    {
        var e = Assert.Throws<FormatException>(() => StressSelection.ParseSeverities(text, "robustness.severities"));
        Assert.StartsWith($"robustness.severities: '{text}' is not a severity from 1 to 5", e.Message);
    }

    [Fact]
    public void Transforms_parse_by_name_once_each_and_an_unknown_name_is_refused_with_the_known_ones()
    {
        Assert.Equal([ShiftKind.GaussianBlur, ShiftKind.Jpeg], StressSelection.Parse("gaussian-blur, jpeg,gaussian-blur", null).Transforms);
        Assert.Equal(8, StressSelection.Parse(null, null).Transforms.Count);
        var e = Assert.Throws<FormatException>(() => StressSelection.Parse("gamma,blur", null));
        Assert.Equal("--transforms: unknown transform 'blur' (known: gamma, brightness, contrast, gaussian-blur, gaussian-noise, jpeg, downscale, channel-scale)", e.Message);
    }

    [Fact]
    public void The_severity_table_in_docs_is_the_one_the_code_applies()
    {
        var lines = File.ReadAllLines(Path.Combine(Repository.Root, "docs", "robustness.md"));
        foreach (var (name, _, parameter, values) in Shifts.Table)
        {
            var row = lines.Single(l => l.StartsWith($"| `{name}` |", StringComparison.Ordinal));
            var cells = row.Split('|', StringSplitOptions.TrimEntries)[1..^1];
            Assert.Equal(parameter, cells[1]);
            Assert.Equal(values, cells[2..].Select(c => double.Parse(c, CultureInfo.InvariantCulture)));
        }
    }

    [Fact]
    public void The_report_summarises_each_condition_across_folds_and_finds_each_metrics_worst_drop()
    {
        Dictionary<string, double?> M(double auroc, double? hd95) => new() { ["auroc"] = auroc, ["hd95"] = hd95 };
        var report = RobustnessReport.Build("s", "auroc", ["auroc", "hd95"], [0, 1, 2],
            new RobustnessReport.Measured(ShiftCondition.None, 0, null, [M(0.9, 2), M(0.8, 4), M(0.85, 3)]),
            [
                new RobustnessReport.Measured("gamma", 1, 1.25, [M(0.88, 2), M(0.8, 5), M(0.84, 3)]),
                new RobustnessReport.Measured("jpeg", 5, 10, [M(0.6, 10), M(0.7, null), M(0.65, 3)]),
            ]);
        Assert.Equal(0.85, report.Baseline.Of("auroc")!.Mean!.Value, 12);
        // t(0.975, 2) = 4.302652729749464; SD 0.05, SE 0.05/√3.
        Assert.Equal(0.85 - 4.302652729749464 * 0.05 / Math.Sqrt(3), report.Baseline.Of("auroc")!.CiLow!.Value, 9);
        Assert.Equal(0, report.Baseline.Of("auroc")!.Drop);
        Assert.Equal((0.02 + 0 + 0.01) / 3, report.At("gamma", 1)!.Of("auroc")!.Drop!.Value, 12);
        Assert.Equal((0.3 + 0.1 + 0.2) / 3, report.At("jpeg", 5)!.Of("auroc")!.Drop!.Value, 12);
        // A metric to minimise drops when it grows; a fold where it is undefined is left out of the pairs.
        Assert.Equal(1.0 / 3, report.At("gamma", 1)!.Of("hd95")!.Drop!.Value, 12);
        Assert.Equal((8 + 0) / 2.0, report.At("jpeg", 5)!.Of("hd95")!.Drop!.Value, 12);
        Assert.Equal([new WorstDrop("auroc", "jpeg", 5, report.At("jpeg", 5)!.Of("auroc")!.Drop!.Value),
                      new WorstDrop("hd95", "jpeg", 5, 4)], report.Worst);
    }

    [Fact]
    public void Robustness_json_round_trips_and_a_foreign_file_is_refused_naming_it()
    {
        using var dir = new TempDir();
        var report = RobustnessReport.Build("s", "auroc", ["auroc"], [0],
            new RobustnessReport.Measured(ShiftCondition.None, 0, null, [new Dictionary<string, double?> { ["auroc"] = 0.9 }]),
            [new RobustnessReport.Measured("gamma", 2, 1.5, [new Dictionary<string, double?> { ["auroc"] = 0.7 }])]);
        report.Write(dir.Path);
        var back = RobustnessReport.Read(RobustnessReport.PathIn(dir.Path));
        Assert.Equal(0.7, back.At("gamma", 2)!.Of("auroc")!.PerFold[0]);
        Assert.Contains("\"search_metric\": \"auroc\"", File.ReadAllText(RobustnessReport.PathIn(dir.Path)));
        var foreign = dir.Write("other.json", "{\"format\": 7}");
        var e = Assert.Throws<InvalidDataException>(() => RobustnessReport.Read(foreign));
        Assert.Equal($"{foreign}: not a robustness report of format 1", e.Message);
    }
}

public sealed class RobustnessSpecTests
{
    private const string Torch = """
        name: s
        dataset: { synthetic: { out: data, patients: 8 } }
        execution: { trainer: torch }
        """;

    [Fact]
    public void The_robustness_section_takes_transforms_and_severities_as_lists_or_text()
    {
        var spec = SpecLoading.SpecLoader.Parse(Torch + "\nrobustness: { transforms: [gamma, jpeg], severities: 1-3 }", "/tmp/spec.yaml");
        Assert.Equal(new Spec.RobustnessSpec("gamma,jpeg", "1-3"), spec.Robustness);
        Assert.Equal(new Spec.RobustnessSpec(null, "1,5"), SpecLoading.SpecLoader.Parse(Torch + "\nrobustness: { severities: [1, 5] }", "/tmp/spec.yaml").Robustness);
        Assert.Null(SpecLoading.SpecLoader.Parse(Torch, "/tmp/spec.yaml").Robustness);
    }

    [Theory]
    [InlineData("robustness: { transforms: [gamma, sepia] }", "robustness.transforms", "unknown transform 'sepia'")]
    [InlineData("robustness: { severities: 2-9 }", "robustness.severities", "'2-9' is not a severity from 1 to 5")]
    [InlineData("robustness: { severity: 2 }", "robustness.severity", "")]
    public void A_bad_robustness_section_is_a_spec_error_naming_its_key(string section, string key, string message)
    {
        var e = Assert.Throws<Spec.SpecException>(() => SpecLoading.SpecLoader.Parse(Torch + "\n" + section, "/tmp/spec.yaml"));
        Assert.Contains(e.Errors, err => err.Path == key && err.Message.Contains(message));
    }

    [Fact]
    public void The_simulated_trainer_takes_a_robustness_section_its_stress_tasks_are_simulated()
    {
        var spec = SpecLoading.SpecLoader.Parse(Torch.Replace("trainer: torch", "trainer: simulated") + "\nrobustness: { transforms: [jpeg] }", "/tmp/spec.yaml");
        Assert.Equal(new Spec.RobustnessSpec("jpeg", null), spec.Robustness);
    }

    private static Study.Prediction P(string id, int label, double p) => new(id, [label], [1 - p, p]);

    [Fact]
    public void The_report_of_the_folds_stress_results_scores_each_fold_at_its_own_threshold_and_averages_the_drops()
    {
        var spec = SpecLoading.SpecLoader.Parse(Torch + "\nrobustness: { transforms: [gamma], severities: 1 }", "/tmp/spec.yaml");
        // Fold 0 decides at 0.7 (its operating point), fold 1 at 0.5 (none chosen).
        var report = new Study.StudyReport(spec.Name, true, [], [], [], OperatingPoint: new Study.StudyOperatingPoint("youden", "Youden's J",
            [new Study.FoldThreshold(0, 0.7, "youden", 2, 2, null, null)]));
        Study.Prediction[] fold0 = [P("a", 0, 0.2), P("b", 1, 0.6), P("c", 0, 0.55), P("d", 1, 0.9)];
        Study.Prediction[] fold1 = [P("e", 0, 0.3), P("f", 1, 0.4), P("g", 1, 0.8)];
        var folds = new[]
        {
            // Given out of order: the report lists folds by index.
            new StressFold(StressFold.FormatVersion, 1, [new(ShiftCondition.None, 0, fold1, null), new("gamma", 1, fold1, null)]),
            new StressFold(StressFold.FormatVersion, 0, [new(ShiftCondition.None, 0, fold0, null), new("gamma", 1, [fold0[0], P("b", 1, 0.1), fold0[2], fold0[3]], null)]),
        };

        var r = RobustnessReport.Of(spec, report, ["normal", "lesion"], folds, StressSelection.Parse("gamma", "1"), ["outer fold 2: s/o2/stress: crashed: boom"]);

        Assert.Equal([0, 1], r.Folds);
        Assert.Equal([1.0, 1.0], r.Baseline.Of("auroc")!.PerFold);
        // Sensitivity at 0.7 in fold 0 (b at 0.6 is called negative), at 0.5 in fold 1 (f at 0.4 is).
        Assert.Equal([0.5, 0.5], r.Baseline.Of("sensitivity")!.PerFold);
        var gamma = r.At("gamma", 1)!;
        Assert.Equal(1.25, gamma.Parameter!.Value, 12); // γ at severity 1
        // b drops below both negatives: 2 of 4 pairs ordered; fold 1 is unchanged.
        Assert.Equal([0.5, 1.0], gamma.Of("auroc")!.PerFold);
        Assert.Equal(0.25, gamma.Of("auroc")!.Drop!.Value, 12);
        Assert.Equal(new WorstDrop("auroc", "gamma", 1, 0.25), r.Worst.Single(w => w.Metric == "auroc"));
        Assert.Equal(["outer fold 2: s/o2/stress: crashed: boom"], r.Failures);

        // A fold whose stress test lacks a selected condition is an error naming the fold and the condition.
        var e = Assert.Throws<InvalidDataException>(() => RobustnessReport.Of(spec, report, ["normal", "lesion"], folds, StressSelection.Parse("jpeg", "1")));
        Assert.Contains("outer fold 0's stress test has no jpeg at severity 1", e.Message);
    }
}
