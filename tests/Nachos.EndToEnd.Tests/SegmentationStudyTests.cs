using System.Globalization;
using System.Text.Json;

namespace Nachos.EndToEnd.Tests;

/// <summary><c>examples/segmentation.yaml</c> run once by the real <c>nachos run</c> (its demo data generated beside it).</summary>
public sealed class SegmentationExample : IDisposable
{
    private readonly TempDir _dir = new();

    public SegmentationExample()
    {
        // The example writes its data to ../data/demo-segmentation: keep that inside the temporary folder.
        var spec = _dir.Write("examples/segmentation.yaml", File.ReadAllText(Path.Combine(Repository.Root, "examples", "segmentation.yaml")));
        RunDir = _dir.File("run");
        // A whole nested CV of real training (about 8 minutes on 2 idle cores): the limit only guards against a hang.
        var run = NachosProcess.Run(TimeSpan.FromMinutes(45), _dir.Path, null, "run", spec, "--run-dir", RunDir);
        if (run.Code != 0) throw new InvalidOperationException($"nachos run examples/segmentation.yaml: exit {run.Code}\n{run.Output}\n{run.Error}");
        Output = run.Output;
    }

    public string RunDir { get; }
    public string Output { get; }

    public void Dispose() => _dir.Dispose();
}

/// <summary>Alone: the example's two training processes would take the cores from the timing-sensitive tests beside it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SegmentationExampleCollection
{
    public const string Name = "segmentation example";
}

[Collection(SegmentationExampleCollection.Name)]
public sealed class SegmentationStudyTests(SegmentationExample example) : IClassFixture<SegmentationExample>
{
    private static double? Number(JsonElement e) => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : null;

    [Fact]
    public void The_segmentation_example_reaches_a_mean_test_Dice_of_0_80_over_the_outer_folds_with_its_intervals()
    {
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(example.RunDir, "report.json")));
        Assert.True(report.RootElement.GetProperty("complete").GetBoolean());
        var metrics = report.RootElement.GetProperty("metrics").EnumerateArray().ToDictionary(m => m.GetProperty("metric").GetString()!);
        var dice = metrics["dice"];
        var perFold = dice.GetProperty("per_fold").EnumerateArray().Select(v => v.GetDouble()).ToList();
        Assert.Equal(3, perFold.Count);
        var mean = dice.GetProperty("summary").GetProperty("mean").GetDouble();
        Assert.Equal(perFold.Average(), mean, 12);
        Assert.True(mean >= 0.80, $"mean test Dice {mean:F3} over the outer folds ({string.Join(", ", perFold.Select(v => v.ToString("F3", CultureInfo.InvariantCulture)))})\n{example.Output}");
        Assert.True(Number(dice.GetProperty("bootstrap_low")) <= mean && mean <= Number(dice.GetProperty("bootstrap_high")));
        // The distances are reported unclipped, with their intervals; the report lists every segmentation metric.
        Assert.True(metrics["hd95"].GetProperty("summary").GetProperty("mean").GetDouble() > 0);
        Assert.Equal(["dice", "iou", "sensitivity", "specificity", "precision", "hd95", "assd", "surface_dice", "pixel_auroc", "pooled_dice"], metrics.Keys);

        // Each refit wrote a mask per test image, named in its predictions.
        foreach (var refit in Directory.GetDirectories(example.RunDir, "refit", SearchOption.AllDirectories))
        {
            var lines = File.ReadAllLines(Path.Combine(refit, "predictions.csv"));
            var header = lines[0].Split(',');
            var mask = Array.IndexOf(header, "mask");
            Assert.True(mask >= 0);
            Assert.All(lines.Skip(1), l => Assert.True(File.Exists(Path.Combine(refit, l.Split(',')[mask]))));
        }
    }

    [Fact]
    public void Nachos_ensemble_chooses_each_folds_rule_on_validation_and_scores_it_on_the_test_images()
    {
        var csvPath = Path.Combine(example.RunDir, "ensemble.csv");
        var run = NachosProcess.Run(example.RunDir, "ensemble", example.RunDir, "--top", "2");
        Assert.True(run.Code == 0, $"exit {run.Code}\n{run.Output}\n{run.Error}");
        Assert.Contains("oracle", run.Output);
        Assert.Contains("upper bound", run.Output);

        var lines = File.ReadAllLines(csvPath);
        var header = lines[0].Split(',');
        string[] rules = ["union", "intersection", "majority", "mean-probability"];
        Assert.Equal(["outer_fold", "set", "image", "chosen_rule", .. rules, "trial_1", "trial_2", "oracle"], header);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        double Col(string[] row, string name) => double.Parse(row[Array.IndexOf(header, name)], CultureInfo.InvariantCulture);
        using var splits = JsonDocument.Parse(File.ReadAllText(Path.Combine(example.RunDir, "splits.json")));
        var page = StudyPage();
        foreach (var fold in splits.RootElement.GetProperty("outer").EnumerateArray())
        {
            var k = fold.GetProperty("index").GetInt32().ToString(CultureInfo.InvariantCulture);
            var validation = rows.Where(r => r[0] == k && r[1] == "validation").ToList();
            var test = rows.Where(r => r[0] == k && r[1] == "test").ToList();
            Assert.Equal(fold.GetProperty("inner").EnumerateArray().Sum(s => s.GetProperty("validation").GetArrayLength()), validation.Count);
            Assert.Equal(fold.GetProperty("test").GetArrayLength(), test.Count);
            // The chosen rule is the best mean on validation (ties: the first), recomputed here from the rows.
            var means = rules.Select(r => validation.Average(row => Col(row, r))).ToList();
            var best = rules[means.IndexOf(means.Max())];
            Assert.All(validation.Concat(test), r => Assert.Equal(best, r[3]));
            // The oracle is each image's best trial.
            Assert.All(test, r => Assert.Equal(Math.Max(Col(r, "trial_1"), Col(r, "trial_2")), Col(r, "oracle"), 12));

            // The study page shows the fold's choice and the chosen rule's mean test Dice.
            var table = page.IndexOf("id=\"ensemble-table\"", StringComparison.Ordinal);
            Assert.True(table > 0, "the study page has no ensemble table");
            var ensembleRow = System.Text.RegularExpressions.Regex.Match(page[table..], $"<tr data-fold=\"{k}\">(.*?)</tr>", System.Text.RegularExpressions.RegexOptions.Singleline);
            Assert.True(ensembleRow.Success);
            Assert.Contains($"<td>{best}</td>", ensembleRow.Value);
            var testMean = test.Average(r => Col(r, best));
            Assert.Contains($"data-value=\"{testMean.ToString("R", CultureInfo.InvariantCulture)}\"", ensembleRow.Value);
        }
    }

    private string StudyPage()
    {
        var html = Path.Combine(example.RunDir, "..", "ensemble-report.html");
        var report = NachosProcess.Run(example.RunDir, "report", example.RunDir, "--format", "html", "--out", html);
        Assert.True(report.Code == 0, $"exit {report.Code}\n{report.Output}\n{report.Error}");
        return File.ReadAllText(html);
    }

    [Fact]
    public void Nachos_ensemble_refuses_what_it_cannot_combine_with_exit_2()
    {
        using var dir = new TempDir();
        var top = NachosProcess.Run(dir.Path, "ensemble", example.RunDir, "--top", "1");
        Assert.Equal(2, top.Code);
        Assert.Contains("--top 1: an ensemble needs at least 2 trials", top.Error);
        var missing = NachosProcess.Run(dir.Path, "ensemble", dir.File("nowhere"));
        Assert.Equal(2, missing.Code);
        Assert.Contains("no such run directory", missing.Error);

        // A study that has not finished: its run directory without the report.
        var unfinished = dir.File("unfinished");
        Directory.CreateDirectory(unfinished);
        foreach (var name in new[] { "spec.yaml", "spec-source.txt", "splits.json" })
            File.Copy(Path.Combine(example.RunDir, name), Path.Combine(unfinished, name));
        var early = NachosProcess.Run(dir.Path, "ensemble", unfinished);
        Assert.Equal(2, early.Code);
        Assert.Contains("the study has not finished", early.Error);
        Assert.DoesNotContain("   at ", early.Error);
    }
}

/// <summary>A segmentation study killed with SIGKILL mid-study and run again ends with the report of an uninterrupted run.</summary>
public sealed class SegmentationResumeTests
{
    private const string Spec = """
        name: segresume
        seed: 5
        task: segmentation
        dataset:
          synthetic: { out: data, patients: 8, size: 32 }
          classes: [background, lesion]
        image: { size: 32, channels: 1 }
        split: { scheme: kfold, outer_folds: 2, inner_folds: 2 }
        model: { architecture: unet, depth: 2, width: 0.25 }
        training: { max_epochs: 3, batch_size: 8, optimizer: adam, learning_rate: 0.01, threads: 1 }
        search: { trials: 1, metric: dice }
        execution: { devices: 1 }
        """;

    [Fact]
    public void Kill_9_mid_study_then_rerun_gives_the_report_of_an_uninterrupted_run()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), Spec);
        var straight = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "straight");
        Assert.True(straight.Code == 0, $"exit {straight.Code}\n{straight.Output}\n{straight.Error}");

        var killed = dir.File("killed");
        using (var run = new NachosProcess(dir.Path, "run", "spec.yaml", "--run-dir", "killed"))
        {
            // Two of the six tasks finished: the study is well under way and far from its end.
            var deadline = DateTime.UtcNow.AddMinutes(5);
            while (DateTime.UtcNow < deadline && Predictions(killed) < 2) Thread.Sleep(50);
            Assert.True(Predictions(killed) >= 2, $"too slow to reach the kill point\n{run.Output}\n{run.Error}");
            Assert.False(File.Exists(Path.Combine(killed, "report.json")), "finished before the kill");
            run.KillHard();
            run.Wait(TimeSpan.FromSeconds(30));
        }
        var resumed = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "killed");
        Assert.True(resumed.Code == 0, $"exit {resumed.Code}\n{resumed.Output}\n{resumed.Error}");
        Assert.Equal(File.ReadAllText(dir.File("straight/report.json")), File.ReadAllText(Path.Combine(killed, "report.json")));
    }

    private static int Predictions(string dir) =>
        Directory.Exists(dir) ? Directory.EnumerateFiles(dir, "predictions.csv", SearchOption.AllDirectories).Count() : 0;
}
