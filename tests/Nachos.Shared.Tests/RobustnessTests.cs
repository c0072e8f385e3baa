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
    public void The_simulated_trainer_cannot_be_stress_tested()
    {
        var e = Assert.Throws<Spec.SpecException>(() => SpecLoading.SpecLoader.Parse(
            Torch.Replace("trainer: torch", "trainer: simulated") + "\nrobustness: {}", "/tmp/spec.yaml"));
        Assert.Contains(e.Errors, err => err.Path == "robustness" && err.Message.Contains("needs trainer torch"));
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
