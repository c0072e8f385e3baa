using System.Text.Json;

namespace Nachos.EndToEnd.Tests;

/// <summary>DACHOS in <c>nachos run</c>: a spec with <c>deploy:</c> ends with a final model trained on all data.</summary>
public sealed class DeployCommandTests
{
    [Fact]
    public void A_study_with_deploy_trains_the_final_model_on_all_data_with_the_configuration_its_own_search_chose()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), RunCommandTests.TorchSpec("dachos",
            "{ max_epochs: 2, batch_size: 8 }",
            "{ sampler: random, trials: 2, parallelism: 2, space: { learning_rate: { type: log-uniform, low: 0.001, high: 0.05 } } }",
            "{ trainer: torch, executor: subprocess, devices: 2 }") + "\nevaluation: { threshold: youden }\ndeploy: { final: all-data }\n");
        // As in a batch job's log: output to a file and no COLUMNS.
        var run = NachosProcess.Run(TimeSpan.FromMinutes(10), dir.Path, new Dictionary<string, string> { ["COLUMNS"] = "" }, "run", "spec.yaml");
        Assert.True(run.Code == 0, $"exit {run.Code}\n{run.Output}\n{run.Error}");
        Assert.Contains("then the deploy fold", run.Output);
        // Piped (a Slurm log), the result's lines are not wrapped: the final model's sentence is one line, its path whole.
        var line = Assert.Single(run.Output.Split('\n'), l => l.Contains("Final model (DACHOS)"));
        Assert.Contains("Final model (DACHOS): the same search on all 98 images chose trial", line);
        Assert.Contains("o2/refit/model.pt, decision threshold", line);
        Assert.EndsWith("it has no test set of its own.", line.TrimEnd());

        var runDir = dir.File("runs/dachos");
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "report.json")));
        var root = report.RootElement;
        Assert.True(root.GetProperty("complete").GetBoolean());
        Assert.Equal(2, root.GetProperty("folds").GetArrayLength()); // the estimate is over the outer folds only
        var deploy = root.GetProperty("deploy");
        Assert.Equal(2, deploy.GetProperty("outer").GetInt32());
        Assert.Equal(JsonValueKind.Null, deploy.GetProperty("failure").ValueKind);
        Assert.Empty(deploy.GetProperty("test_metrics").EnumerateObject());

        // The chosen trial is the best mean inner score of the deploy fold's own trials (ties: lowest index).
        var trials = deploy.GetProperty("trials").EnumerateArray()
            .Select(t => (Trial: t.GetProperty("trial").GetInt32(), Score: t.GetProperty("score").GetDouble(), Epoch: t.GetProperty("mean_best_epoch").GetDouble())).ToList();
        Assert.Equal(2, trials.Count);
        var best = trials.OrderByDescending(t => t.Score).ThenBy(t => t.Trial).First();
        Assert.Equal(best.Trial, deploy.GetProperty("chosen_trial").GetInt32());
        Assert.Equal((int)Math.Ceiling(best.Epoch - 1e-9), deploy.GetProperty("refit_epochs").GetInt32());

        // The final model: weights, every epoch it was asked for, and not a single scored image (it has no test set).
        var final = Path.Combine(runDir, "o2", "refit");
        Assert.True(File.Exists(Path.Combine(final, "model.pt")));
        Assert.Equal(deploy.GetProperty("refit_epochs").GetInt32() + 1, File.ReadAllLines(Path.Combine(final, "history.csv")).Length);
        Assert.Single(File.ReadAllLines(Path.Combine(final, "predictions.csv")));
        using var splits = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "splits.json")));
        var images = splits.RootElement.GetProperty("outer").EnumerateArray().Sum(f => f.GetProperty("test").GetArrayLength());
        Assert.Equal(98, images);
        Assert.Equal(images, splits.RootElement.GetProperty("deploy").GetProperty("train").GetArrayLength());
        Assert.Empty(splits.RootElement.GetProperty("deploy").GetProperty("test").EnumerateArray());

        // The final model's threshold: Youden J on its own search's chosen trial's inner validation predictions, nothing else.
        var chosen = deploy.GetProperty("chosen_trial").GetInt32();
        var inner = Enumerable.Range(0, 2).SelectMany(j => File.ReadAllLines(Path.Combine(runDir, "o2", $"t{chosen}", $"s{j}", "predictions.csv")).Skip(1))
            .Select(l => l.Split(',')).Where(c => c[1] == "validation").ToList();
        Assert.Equal(images, inner.Count); // the deploy fold's inner folds validate every image once
        var expected = Nachos.Shared.Metrics.OperatingPoint.Decide(
            new Nachos.Shared.Spec.ThresholdRule(Nachos.Shared.Spec.ThresholdRuleKind.Youden, 0),
            inner.Select(c => c[2] == "lesion").ToList(), inner.Select(c => double.Parse(c[4], System.Globalization.CultureInfo.InvariantCulture)).ToList()).Threshold;
        var finalThreshold = root.GetProperty("operating_point").GetProperty("folds").EnumerateArray()
            .Single(f => f.GetProperty("outer").GetInt32() == 2).GetProperty("threshold").GetDouble();
        Assert.Equal(expected, finalThreshold);

        // The final model ships as a bundle stating the NACHOS estimate, and predicts like any bundle.
        var bundle = NachosProcess.Run(dir.Path, "bundle", runDir, "--final", "--out", "final");
        Assert.True(bundle.Code == 0, $"exit {bundle.Code}\n{bundle.Output}\n{bundle.Error}");
        using (var manifest = JsonDocument.Parse(File.ReadAllText(dir.File("final/bundle.json"))))
        {
            var text = manifest.RootElement.ToString();
            Assert.Contains("dachos/o2/refit", text);
            var auroc = root.GetProperty("metrics").EnumerateArray().First(m => m.GetProperty("metric").GetString() == "auroc")
                .GetProperty("summary").GetProperty("mean").GetDouble();
            Assert.Contains(auroc.ToString("R", System.Globalization.CultureInfo.InvariantCulture), text);
            Assert.Equal(finalThreshold, manifest.RootElement.GetProperty("decision").GetProperty("threshold").GetDouble());
        }
        var predict = NachosProcess.Run(dir.Path, "predict", "final", "data/manifest.csv", "--out", "predicted.csv");
        Assert.True(predict.Code == 0, $"exit {predict.Code}\n{predict.Output}\n{predict.Error}");
        Assert.Equal(images + 1, File.ReadAllLines(dir.File("predicted.csv")).Length);
    }
}
