using System.Text.Json;
using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;

namespace Nachos.EndToEnd.Tests;

/// <summary><c>search.proxy</c> through <c>nachos run</c>: the selection frozen in splits.json, what the tasks trained on, and bad settings.</summary>
public sealed class ProxyStudyTests
{
    [Fact]
    public void A_real_study_searches_on_the_proxy_data_and_network_and_refits_and_tests_at_full_size()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), RunCommandTests.TorchSpec("proxy",
            "{ max_epochs: 2, batch_size: 16, optimizer: adam, learning_rate: 0.003 }",
            "{ trials: 1, proxy: { data: { fraction: 0.5, method: ncc }, network: { width: 0.5, depth: -1 } } }",
            "{ trainer: torch, executor: subprocess, devices: 2 }"));
        var (code, output, error) = NachosProcess.Run(dir.Path, "run", "spec.yaml");
        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");

        var plan = SplitPlan.Read(dir.File("runs/proxy/splits.json"));
        foreach (var fold in plan.Outer)
        {
            var proxy = Assert.IsAssignableFrom<IReadOnlyList<string>>(fold.Proxy).ToHashSet();
            // Half, in whole patients per class and inner fold: a few patients' images over on this small set.
            Assert.True(proxy.Count >= fold.Train.Count / 2 && proxy.Count < fold.Train.Count * 8 / 10, $"{proxy.Count} of {fold.Train.Count}");
            Assert.Subset(fold.Train.ToHashSet(), proxy);
            var k = fold.Index;
            for (var j = 0; j < fold.Inner.Count; j++)
            {
                var validated = Predicted($"runs/proxy/o{k}/t0/s{j}");
                Assert.Subset(proxy, validated); // the inner validation used proxy samples only...
                Assert.Equal(fold.Inner[j].Validation.Where(proxy.Contains).ToHashSet(), validated); // ...all of its split's
            }
            Assert.Equal(fold.Test.ToHashSet(), Predicted($"runs/proxy/o{k}/refit")); // the whole outer test fold
            // The inner tasks trained the half-width, shallower network; the refit the full one.
            Assert.True(new FileInfo(dir.File($"runs/proxy/o{k}/t0/s0/model.pt")).Length * 2 < new FileInfo(dir.File($"runs/proxy/o{k}/refit/model.pt")).Length);
        }
        using var report = JsonDocument.Parse(File.ReadAllText(dir.File("runs/proxy/report.json")));
        Assert.Equal(2, report.RootElement.GetProperty("folds").GetArrayLength());

        HashSet<string> Predicted(string taskFolder) =>
            PredictionsFile.Read(dir.File($"{taskFolder}/predictions.csv"), TaskKind.Binary).Rows.Select(r => r.SampleId).ToHashSet();
    }

    [Fact]
    public void A_two_stage_search_reevaluates_the_proxy_stages_best_at_full_size_and_chooses_among_those()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), RunCommandTests.TorchSpec("twostage",
            "{ max_epochs: 2, batch_size: 16, optimizer: adam }",
            """
            { trials: 3, parallelism: 3, sampler: random, space: { learning_rate: { type: log-uniform, low: 0.0001, high: 0.1 } },
                      proxy: { data: { fraction: 0.5, method: random }, network: { width: 0.5 }, top_k: 2 } }
            """,
            "{ trainer: torch, executor: subprocess, devices: 2 }"));
        var (code, output, error) = NachosProcess.Run(dir.Path, "run", "spec.yaml");
        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        Assert.Contains("proxy search", output); // the cost line names both stages
        Assert.Contains("full-size stage", output);

        var report = Nachos.Shared.Study.StudyReport.Read(dir.File("runs/twostage/report.json"));
        var plan = SplitPlan.Read(dir.File("runs/twostage/splits.json"));
        foreach (var fold in report.Folds)
        {
            Assert.Equal(5, fold.Trials.Count);
            var first = fold.Trials.Where(t => t.Trial < 3).OrderByDescending(t => t.Score).ThenBy(t => t.Trial).Take(2).ToList();
            var second = fold.Trials.Where(t => t.Trial >= 3).OrderBy(t => t.Trial).ToList();
            Assert.Equal(first.Select(t => t.Config), second.Select(t => t.Config));
            Assert.Contains(fold.ChosenTrial!.Value, second.Select(t => t.Trial));
            // The full-size stage trained the whole inner split with the full network.
            var k = fold.Outer;
            Assert.Equal(plan.Outer[k].Inner[0].Validation.ToHashSet(), Predicted($"runs/twostage/o{k}/t3/s0"));
            Assert.True(new FileInfo(dir.File($"runs/twostage/o{k}/t0/s0/model.pt")).Length * 2 < new FileInfo(dir.File($"runs/twostage/o{k}/t3/s0/model.pt")).Length);
        }

        HashSet<string> Predicted(string taskFolder) =>
            PredictionsFile.Read(dir.File($"{taskFolder}/predictions.csv"), TaskKind.Binary).Rows.Select(r => r.SampleId).ToHashSet();
    }

    [Theory]
    [InlineData("{ network: { width: 0.5 }, top_k: 9 }", "search.proxy.top_k")]
    [InlineData("{ data: { fraction: 2, method: ncc } }", "search.proxy.data.fraction")]
    [InlineData("{ data: { fraction: 0.3, method: ssim } }", "search.proxy.data.method")]
    [InlineData("{ network: { width: 0.5, depth: 2 } }", "search.proxy.network.depth")]
    public void A_bad_proxy_setting_exits_2_naming_the_key_before_anything_runs(string proxy, string key)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), SimulatedSpecs.Yaml("bad", 0, 1, optimizer: false)
            .Replace("  sampler: tpe", $"  sampler: random\n  proxy: {proxy}").Replace("  space:\n    learning_rate: { type: log-uniform, low: 0.00001, high: 0.1 }", ""));
        var (code, output, error) = NachosProcess.Run(dir.Path, "run", "spec.yaml");
        Assert.True(code == 2, $"exit {code}\n{output}\n{error}");
        Assert.Contains(key, error);
        Assert.DoesNotContain("   at ", error + output);
        Assert.False(Directory.Exists(dir.File("runs/bad")));
    }
}
