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
    [Fact]
    public void The_channel_grid_is_5_by_5_levels_with_the_centre_left_to_the_baseline_and_documented()
    {
        Assert.Equal([-0.4, -0.2, 0, 0.2, 0.4], ChannelGrid.Levels);
        Assert.Equal(25, ChannelGrid.All.Count);
        Assert.Equal(24, ChannelGrid.Evaluated.Count);
        Assert.DoesNotContain(new ChannelGridCell(0, 0), ChannelGrid.Evaluated);
        Assert.Equal(new ChannelGridCell(-0.4, -0.2), ChannelGrid.All[1]);
        Assert.Equal("×0.6", ChannelGridReport.Factor(-0.4));
        Assert.Equal("×1.2", ChannelGridReport.Factor(0.2));
        var doc = File.ReadAllText(Path.Combine(Repository.Root, "docs", "robustness.md"));
        Assert.Contains("| level a (factor 1 + a) | −0.4 | −0.2 | 0 | +0.2 | +0.4 |", doc);
    }

    [Fact]
    public void Each_channel_grid_cell_is_summarised_across_folds_with_its_drop_as_the_other_conditions()
    {
        Dictionary<string, double?> M(double auroc, double? hd95) => new() { ["auroc"] = auroc, ["hd95"] = hd95 };
        var baseline = new RobustnessReport.Measured(ShiftCondition.None, 0, null, [M(0.9, 2), M(0.8, 4), M(0.85, 3)]);
        IReadOnlyList<IReadOnlyDictionary<string, double?>> Same() => baseline.PerFold;
        var cells = ChannelGrid.Evaluated.Select(c => (c,
            c == new ChannelGridCell(0.4, -0.4) ? [M(0.7, 3), M(0.75, 4), M(0.8, null)]
            : c == new ChannelGridCell(-0.2, 0) ? [M(0.95, 1), M(0.8, 4), M(0.8, 3)]
            : Same())).ToList();
        var grid = ChannelGrid.Build(["auroc", "hd95"], baseline, cells);

        Assert.Equal(25, grid.Cells.Count);
        Assert.Equal(ChannelGrid.Levels, grid.Levels);
        var centre = grid.At(0, 0)!.Of("auroc")!;
        Assert.Equal([0.9, 0.8, 0.85], centre.PerFold);
        Assert.Equal(0, centre.Drop);
        Assert.Equal(0.85, centre.Mean!.Value, 12);

        // Per fold 0.9 − 0.7, 0.8 − 0.75, 0.85 − 0.8: drop 0.1; mean 0.75, SD 0.05, t(0.975, 2) = 4.302652729749464.
        var worst = grid.At(0.4, -0.4)!.Of("auroc")!;
        Assert.Equal(0.1, worst.Drop!.Value, 12);
        Assert.Equal(0.75, worst.Mean!.Value, 12);
        Assert.Equal(0.75 - 4.302652729749464 * 0.05 / Math.Sqrt(3), worst.CiLow!.Value, 9);
        Assert.Equal(0.75 + 4.302652729749464 * 0.05 / Math.Sqrt(3), worst.CiHigh!.Value, 9);
        // hd95 is minimised: (3 − 2) + (4 − 4) over the two folds where it is defined.
        Assert.Equal(0.5, grid.At(0.4, -0.4)!.Of("hd95")!.Drop!.Value, 12);
        // A gain is a negative drop: (−0.05 + 0 + 0.05) / 3 = 0 for auroc; hd95 (1 − 2 + 0 + 0) / 3.
        Assert.Equal(0, grid.At(-0.2, 0)!.Of("auroc")!.Drop!.Value, 12);
        Assert.Equal(-1.0 / 3, grid.At(-0.2, 0)!.Of("hd95")!.Drop!.Value, 12);

        // The very aggregation of the named shifts: the same per-fold values as a condition give the same numbers.
        var asCondition = RobustnessReport.Build("s", "auroc", ["auroc", "hd95"], [0, 1, 2], baseline,
            [new RobustnessReport.Measured("x", 1, 1, [M(0.7, 3), M(0.75, 4), M(0.8, null)])]).Conditions[0];
        Assert.Equal(asCondition.Of("auroc")! with { PerFold = [] }, worst with { PerFold = [] });
        Assert.Equal(asCondition.Of("auroc")!.PerFold, worst.PerFold);
    }

    [Fact]
    public void A_report_with_the_channel_grid_round_trips_and_one_without_it_writes_and_reads_no_grid()
    {
        using var dir = new TempDir();
        var baseline = new RobustnessReport.Measured(ShiftCondition.None, 0, null, [new Dictionary<string, double?> { ["auroc"] = 0.9 }]);
        var plain = RobustnessReport.Build("s", "auroc", ["auroc"], [0], baseline, []);
        plain.Write(dir.Path);
        Assert.DoesNotContain("channel_grid", File.ReadAllText(RobustnessReport.PathIn(dir.Path)));
        Assert.Null(RobustnessReport.Read(RobustnessReport.PathIn(dir.Path)).ChannelGrid);

        var cells = ChannelGrid.Evaluated.Select(c => (c, (IReadOnlyList<IReadOnlyDictionary<string, double?>>)
            [new Dictionary<string, double?> { ["auroc"] = 0.9 - c.Red / 10 }])).ToList();
        (plain with { ChannelGrid = ChannelGrid.Build(["auroc"], baseline, cells) }).Write(dir.Path);
        var text = File.ReadAllText(RobustnessReport.PathIn(dir.Path));
        Assert.Contains("\"channel_grid\": {", text);
        var back = RobustnessReport.Read(RobustnessReport.PathIn(dir.Path)).ChannelGrid!;
        Assert.Equal(ChannelGrid.Levels, back.Levels);
        Assert.Equal(0.04, back.At(0.4, 0.2)!.Of("auroc")!.Drop!.Value, 12);
        Assert.Equal(0.9, back.At(0, 0)!.Of("auroc")!.PerFold[0]);
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

    [Fact]
    public void The_report_of_the_folds_stress_results_builds_the_channel_grid_from_their_cells_at_each_folds_threshold()
    {
        var spec = SpecLoading.SpecLoader.Parse(Torch + "\nimage: { channels: 3 }\nrobustness: { transforms: [gamma], severities: 1, channel_grid: true }", "/tmp/spec.yaml");
        var selection = StressSelection.Of(spec.Robustness!);
        Assert.True(selection.ChannelGrid);
        var report = new Study.StudyReport(spec.Name, true, [], [], [], OperatingPoint: new Study.StudyOperatingPoint("youden", "Youden's J",
            [new Study.FoldThreshold(0, 0.7, "youden", 2, 2, null, null)]));
        Study.Prediction[] fold0 = [P("a", 0, 0.2), P("b", 1, 0.6), P("c", 0, 0.55), P("d", 1, 0.9)];
        // Every cell unchanged but red +0.4 / blue −0.4, where b falls below both negatives.
        StressScore Cell(ChannelGridCell c) => new(ChannelGrid.Name, 0,
            c == new ChannelGridCell(0.4, -0.4) ? [fold0[0], P("b", 1, 0.1), fold0[2], fold0[3]] : fold0, null, c);
        var fold = new StressFold(StressFold.FormatVersion, 0,
            [new(ShiftCondition.None, 0, fold0, null), new("gamma", 1, fold0, null), .. ChannelGrid.Evaluated.Select(Cell)]);
        using var dir = new TempDir();
        fold.Write(dir.Path); // stress.json keeps the cells
        var back = StressFold.Read(Study.RunLayout.StressPath(dir.Path));
        Assert.Equal(new ChannelGridCell(0.4, -0.4), back.At(new ChannelGridCell(0.4, -0.4))!.Cell);
        Assert.Null(back.At(new ChannelGridCell(0, 0)));
        Assert.Equal(ShiftCondition.None, back.At(ShiftCondition.None, 0)!.Transform);

        var r = RobustnessReport.Of(spec, report, ["normal", "lesion"], [back], selection);

        var grid = r.ChannelGrid!;
        Assert.Equal(25, grid.Cells.Count);
        Assert.Equal(r.Baseline.Of("auroc")!.PerFold, grid.At(0, 0)!.Of("auroc")!.PerFold);
        Assert.Equal([0.5], grid.At(0.4, -0.4)!.Of("auroc")!.PerFold);
        Assert.Equal(0.5, grid.At(0.4, -0.4)!.Of("auroc")!.Drop!.Value, 12);
        // Sensitivity at fold 0's own threshold 0.7: b (0.6) is negative at the baseline, so the cell loses nothing.
        Assert.Equal(0, grid.At(0.4, -0.4)!.Of("sensitivity")!.Drop!.Value, 12);
        Assert.All(grid.Cells.Where(c => !(c.Red == 0.4 && c.Blue == -0.4)), c => Assert.Equal(0, c.Of("auroc")!.Drop!.Value, 12));

        // The worst case is over everything stressed: gamma loses nothing, the cell red +0.4 / blue −0.4 loses 0.5 of AUROC.
        var worst = r.Worst.Single(w => w.Metric == "auroc");
        Assert.Equal(new WorstDrop("auroc", ChannelGrid.Name, 0, 0.5, new ChannelGridCell(0.4, -0.4)), worst with { Drop = Math.Round(worst.Drop, 12) });
        Assert.Equal("channel-grid red+0.4 blue-0.4", worst.Where);
        Assert.Equal("gamma, severity 1", r.Worst.Single(w => w.Metric == "sensitivity").Where); // a tie goes to the named shift
        r.Write(dir.Path);
        var written = File.ReadAllText(RobustnessReport.PathIn(dir.Path));
        Assert.Contains("\"cell\": {", written);
        Assert.Equal(worst, RobustnessReport.Read(RobustnessReport.PathIn(dir.Path)).Worst.Single(w => w.Metric == "auroc"));

        // Without the grid in the selection the report has none; with it, a fold without cells is an error naming the fold.
        Assert.Null(RobustnessReport.Of(spec, report, ["normal", "lesion"], [back], selection with { ChannelGrid = false }).ChannelGrid);
        var bare = back with { Conditions = back.Conditions.Where(c => c.Cell is null).ToList() };
        var e = Assert.Throws<InvalidDataException>(() => RobustnessReport.Of(spec, report, ["normal", "lesion"], [bare], selection));
        Assert.Contains("outer fold 0's stress test has no channel grid cell", e.Message);
    }

    [Fact]
    public void Nachos_stress_without_options_evaluates_the_specs_robustness_section_and_each_option_overrides_its_part()
    {
        var spec = SpecLoading.SpecLoader.Parse(Torch + "\nrobustness: { transforms: [gamma, jpeg], severities: 2-3 }", "/tmp/spec.yaml");
        var own = StressSelection.Of(spec.Robustness, null, null);
        Assert.Equal([ShiftKind.Gamma, ShiftKind.Jpeg], own.Transforms);
        Assert.Equal([2, 3], own.Severities);
        Assert.Equal(StressSelection.Of(spec.Robustness!).Transforms, own.Transforms); // the queued stress tasks' selection
        Assert.Equal(StressSelection.Of(spec.Robustness!).Severities, own.Severities);

        var overridden = StressSelection.Of(spec.Robustness, "downscale", null);
        Assert.Equal([ShiftKind.Downscale], overridden.Transforms);
        Assert.Equal([2, 3], overridden.Severities);
        Assert.Equal([ShiftKind.Gamma, ShiftKind.Jpeg], StressSelection.Of(spec.Robustness, null, "5").Transforms);
        Assert.Equal([5], StressSelection.Of(spec.Robustness, null, "5").Severities);

        // A study without a robustness: section: every shift at every severity, no grid.
        var plain = StressSelection.Of(null, null, null);
        Assert.Equal(StressSelection.All.Transforms, plain.Transforms);
        Assert.Equal(StressSelection.All.Severities, plain.Severities);
        Assert.False(plain.ChannelGrid);
        Assert.Equal(StressSelection.All.Transforms, StressSelection.Of(SpecLoading.SpecLoader.Parse(Torch + "\nrobustness: {}", "/tmp/spec.yaml").Robustness, null, null).Transforms);
    }

    [Fact]
    public void The_channel_grid_is_off_by_default_and_refused_for_a_grayscale_study_naming_the_key()
    {
        Assert.False(SpecLoading.SpecLoader.Parse(Torch + "\nrobustness: {}", "/tmp/spec.yaml").Robustness!.ChannelGrid);
        var rgb = SpecLoading.SpecLoader.Parse(Torch + "\nimage: { channels: 3 }\nrobustness: { channel_grid: true }", "/tmp/spec.yaml");
        Assert.Equal(new Spec.RobustnessSpec(null, null, true), rgb.Robustness);
        var e = Assert.Throws<Spec.SpecException>(() => SpecLoading.SpecLoader.Parse(Torch + "\nrobustness: { channel_grid: true }", "/tmp/spec.yaml"));
        Assert.Contains(e.Errors, err => err.Path == "robustness.channel_grid" && err.Message.Contains("needs an RGB study (image.channels: 3)"));
    }
}
