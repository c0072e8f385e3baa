using System.Net.Http.Json;
using Nachos.Host.Api;
using Nachos.Host.Contract;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.EndToEnd.Tests;

/// <summary>A real TorchSharp search under ASHA through a real node and its task children: rungs, promotions, stops and where they show.</summary>
public sealed class SchedulerTests(ApiNode node) : IClassFixture<ApiNode>
{
    [Fact]
    public async Task Asha_trains_trials_to_rungs_continues_the_promoted_from_their_checkpoints_and_never_chooses_a_stopped_one()
    {
        // max_epochs 4, grace 1, η 2: rungs at epochs 1 and 2, then the end.
        var spec = RunCommandTests.TorchSpec("asha",
            "{ max_epochs: 4, batch_size: 8, early_stopping: { enabled: false } }",
            """
            { trials: 5, parallelism: 2, sampler: random, space: { learning_rate: { type: log-uniform, low: 0.00001, high: 0.3 } },
                      scheduler: { kind: asha, grace_period: 1, reduction_factor: 2 } }
            """,
            "{ trainer: torch, executor: subprocess, max_retries: 1 }");
        var submitted = await node.Submit(spec);
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
        var study = await node.WaitFor("asha", s => StudyStates.IsFinal(s.State), TimeSpan.FromMinutes(8));
        Assert.True(study.State == StudyStates.Complete, $"{study.State}\n{node.Logs}");

        var report = StudyReport.Read(Path.Combine(node.StudyDir("asha"), "report.json"));
        var tasks = (await node.Http.GetFromJsonAsync<TaskList>("api/studies/asha/tasks", ApiJson.Options))!.Tasks;
        var trials = report.Folds.SelectMany(f => f.Trials.Select(t => (f.Outer, Trial: t))).ToList();
        Assert.Equal(10, trials.Count);
        Assert.Contains(trials, t => t.Trial.Stopped);
        foreach (var (outer, trial) in trials)
        {
            var ids = tasks.Where(t => t.Outer == outer && t.Trial == trial.Trial).Select(t => t.TaskId).ToHashSet();
            var full = TaskAddress.InnerSplit("asha", outer, trial.Trial, 0).ToString();
            // Every trial ran its first rung; a stopped one never reached the full training, the others did.
            Assert.Contains(full + "/e1", ids);
            if (trial.Stopped) Assert.DoesNotContain(full, ids);
            else Assert.Contains(full, ids);
            if (!trial.Stopped && !trial.Failed)
            {
                // The full training continued the rung's checkpoint: one folder, its history epoch 1 to 4 without a restart.
                var history = File.ReadAllLines(Path.Combine(node.StudyDir("asha"), TaskAddress.Parse(full).Folder, RunLayout.History));
                Assert.Equal(["1", "2", "3", "4"], history.Skip(1).Select(l => l.Split(',')[0]));
            }
        }
        foreach (var fold in report.Folds)
            Assert.False(fold.Trials.Single(t => t.Trial == fold.ChosenTrial).Stopped);

        // What it cost and what ASHA saved: the API, /metrics.
        var cost = (await node.Http.GetFromJsonAsync<StudyCost>("api/studies/asha/cost", ApiJson.Options))!;
        Assert.Equal(trials.Count(t => t.Trial.Stopped) * 2, cost.Saved!.StoppedTrainings); // two inner splits each
        Assert.True(cost.Saved.EpochsSaved > 0 && cost.Saved.Share is > 0 and < 1, $"{cost.Saved}");
        Assert.Equal(tasks.Count(t => t.State == TaskStates.Succeeded), cost.Tasks);
        var inner = cost.Stages.Single(s => s.Stage == StudyCost.InnerSearch);
        Assert.True(inner.DeviceSeconds > 0);
        // Each inner training's epochs once: 1 per stopped training, 4 per one that ran to the end (no early stopping).
        Assert.Equal(trials.Sum(t => t.Trial.Stopped ? t.Trial.RungEpoch!.Value * 2 : 4 * 2), inner.Epochs);
        var metrics = await node.Http.GetStringAsync("metrics");
        Assert.Contains("nachos_study_device_seconds{study=\"asha\",stage=\"inner search\"}", metrics);
        Assert.Contains("nachos_study_scheduler_saved_ratio{study=\"asha\"}", metrics);

        var list = node.Cli("trial", "list", "asha");
        Assert.True(list.Code == 0, $"exit {list.Code}\n{list.Output}\n{list.Error}");
        Assert.Contains("stopped at epoch", list.Output);
    }
}
