using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// <c>deploy: { final: fold-ensemble }</c> with the real <c>nachos run</c> (real TorchSharp training): no deploy fold is
/// trained, <c>nachos bundle --final</c> bundles the outer refits, and <c>nachos predict</c> averages their probabilities.
/// </summary>
public sealed class FoldEnsembleCommandTests
{
    private static (int Code, string Output, string Error) Nachos(TempDir dir, params string[] args)
    {
        var run = NachosProcess.Run(dir.Path, args);
        Assert.True(run.Code == 0, $"nachos {string.Join(' ', args)}: exit {run.Code}\n{run.Output}\n{run.Error}");
        return run;
    }

    private static Dictionary<string, double[]> Probabilities(TempDir dir, string file) =>
        PredictionsFile.Read(dir.File(file), TaskKind.Binary).Rows.ToDictionary(r => r.SampleId, r => r.Probabilities.ToArray());

    [Fact]
    public void The_fold_ensemble_predicts_the_mean_of_each_refits_own_probabilities_with_the_mean_threshold_and_trains_nothing_more()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), RunCommandTests.TorchSpec("ens",
            "{ max_epochs: 2, batch_size: 8 }",
            "{ sampler: random, trials: 2, parallelism: 2, space: { learning_rate: { type: log-uniform, low: 0.001, high: 0.05 } } }",
            "{ trainer: torch, executor: subprocess, devices: 2 }") + "\nevaluation: { threshold: youden }\ndeploy: { final: fold-ensemble }\n");
        var run = NachosProcess.Run(TimeSpan.FromMinutes(10), dir.Path, null, "run", "spec.yaml");
        Assert.True(run.Code == 0, $"exit {run.Code}\n{run.Output}\n{run.Error}");
        var runDir = dir.File("runs/ens");
        // No extra training: no deploy fold in the plan, the report or the run directory.
        Assert.DoesNotContain("then the deploy fold", run.Output);
        Assert.Contains("Fold ensemble: the 2 outer folds' refits, their probabilities averaged", run.Output);
        Assert.False(Directory.Exists(Path.Combine(runDir, "o2")));
        using (var splits = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "splits.json"))))
            Assert.False(splits.RootElement.TryGetProperty("deploy", out var d) && d.ValueKind != JsonValueKind.Null);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, "report.json")))!;
        Assert.True(report["deploy"] is null);
        var thresholds = report["operating_point"]!["folds"]!.AsArray().Select(f => (Outer: f!["outer"]!.GetValue<int>(), Threshold: f["threshold"]!.GetValue<double>()))
            .OrderBy(f => f.Outer).ToList();
        Assert.Equal([0, 1], thresholds.Select(t => t.Outer));

        Nachos(dir, "bundle", runDir, "--final", "--out", "ensemble", "--archive", dir.File("ensemble.zip"));
        var manifest = JsonNode.Parse(File.ReadAllText(dir.File("ensemble/bundle.json")))!;
        Assert.Equal(2, manifest["format"]!.GetValue<int>());
        Assert.Equal("ens/fold-ensemble", manifest["source"]!["task_id"]!.GetValue<string>());
        Assert.Equal(["members/o0", "members/o1"], manifest["members"]!.AsArray().Select(m => m!["path"]!.GetValue<string>()));
        var threshold = manifest["decision"]!["threshold"]!.GetValue<double>();
        Assert.Equal(thresholds.Average(t => t.Threshold), threshold, 12);
        var auroc = report["metrics"]!.AsArray().First(m => m!["metric"]!.GetValue<string>() == "auroc")!["summary"]!["mean"]!.GetValue<double>();
        Assert.Equal(auroc, manifest["expected_performance"]!["metrics"]!.AsArray().First(m => m!["metric"]!.GetValue<string>() == "auroc")!["mean"]!.GetValue<double>());
        Assert.Contains("the estimate is the NACHOS estimate of its members", File.ReadAllText(dir.File("ensemble/model-card.md")));

        // Each refit's own probability, through its own bundle (its own normalisation statistics).
        Nachos(dir, "bundle", runDir, "--fold", "0", "--out", "refit0");
        Nachos(dir, "bundle", runDir, "--fold", "1", "--out", "refit1");
        const string data = "data/manifest.csv";
        Nachos(dir, "predict", "refit0", data, "--out", "p0.csv");
        Nachos(dir, "predict", "refit1", data, "--out", "p1.csv");
        var ensemble = Nachos(dir, "predict", "ensemble", data, "--out", "ensemble.csv");
        Assert.Contains("with a fold ensemble of 2", ensemble.Output);
        var (p0, p1, mean) = (Probabilities(dir, "p0.csv"), Probabilities(dir, "p1.csv"), Probabilities(dir, "ensemble.csv"));
        Assert.Equal(98, mean.Count);
        var differ = 0;
        foreach (var (id, p) in mean)
        {
            for (var c = 0; c < 2; c++) Assert.True(Math.Abs((p0[id][c] + p1[id][c]) / 2 - p[c]) <= 1e-6, $"{id} class {c}: {p[c]} vs {p0[id][c]} and {p1[id][c]}");
            if (Math.Abs(p0[id][1] - p1[id][1]) > 1e-3) differ++;
        }
        Assert.True(differ > 0, "the two refits predict alike: the test would not tell a mean from either");
        // The predicted label is the mean probability against the ensemble's threshold.
        foreach (var line in File.ReadAllLines(dir.File("ensemble.csv")).Skip(1))
        {
            var f = line.Split(',');
            var positive = double.Parse(f[4], CultureInfo.InvariantCulture) >= threshold;
            Assert.Equal(positive ? "lesion" : "normal", f[5]);
        }
        // The archive predicts the same file.
        Nachos(dir, "predict", dir.File("ensemble.zip"), data, "--out", "archive.csv");
        Assert.Equal(File.ReadAllText(dir.File("ensemble.csv")), File.ReadAllText(dir.File("archive.csv")));

        // A bundle of another format version is refused with one line naming the key, exit 2.
        foreach (var (format, expected) in new[] { (3, "key 'format' is bundle format version 3; this nachos reads versions 1 and 2 only"),
                     (1, "key 'members' is not part of bundle format 1 (a fold ensemble is format 2)") })
        {
            manifest["format"] = format;
            File.WriteAllText(dir.File("ensemble/bundle.json"), manifest.ToJsonString());
            var refused = NachosProcess.Run(dir.Path, "predict", "ensemble", data, "--out", "refused.csv");
            Assert.True(refused.Code == 2, $"format {format}: exit {refused.Code}\n{refused.Output}\n{refused.Error}");
            Assert.Contains(expected, refused.Error);
            Assert.DoesNotContain("   at ", refused.Error);
            Assert.False(File.Exists(dir.File("refused.csv")));
        }
    }
}
