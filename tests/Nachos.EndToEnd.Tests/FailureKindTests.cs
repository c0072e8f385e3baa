using System.Net.Http.Json;
using Nachos.Host.Api;
using Nachos.Shared.Tasks;
using Nachos.Host.Contract;

namespace Nachos.EndToEnd.Tests;

/// <summary>A deterministic failure (a diverging real training) through a real node: attempted once, its kind shown everywhere.</summary>
public sealed class FailureKindTests(ApiNode node) : IClassFixture<ApiNode>
{
    [Fact]
    public async Task A_diverging_training_is_attempted_once_despite_retries_left_and_its_kind_shows_in_the_api_trial_list_report_and_dashboard()
    {
        // As OptimizerTests' diverging training: the loss is no longer finite within a few batches.
        var spec = RunCommandTests.TorchSpec("diverge",
            "{ max_epochs: 20, batch_size: 8, optimizer: sgd, learning_rate: 10.0, weight_decay: 1.0 }",
            "{ trials: 1, parallelism: 1 }",
            "{ trainer: torch, executor: subprocess, max_retries: 2, max_failed_trials: 0 }");
        var submitted = await node.Submit(spec);
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
        var study = await node.WaitFor("diverge", s => StudyStates.IsFinal(s.State), TimeSpan.FromMinutes(4));
        Assert.Equal(StudyStates.Failed, study.State);

        var tasks = (await node.Http.GetFromJsonAsync<TaskList>("api/studies/diverge/tasks?state=failed", ApiJson.Options))!.Tasks;
        Assert.NotEmpty(tasks);
        foreach (var t in tasks)
        {
            Assert.Equal(FailureKind.Diverged, t.Kind);
            Assert.Equal(1, t.Attempts); // not max_retries + 1 = 3
            // The training loss, or (when the last finite step left the weights at ±∞) the validation loss or outputs.
            Assert.Matches(@"(validation )?loss is (NaN|∞|-∞|Infinity|-Infinity) at epoch \d+(, batch \d+)?|\d+ of \d+ outputs on the validation set are NaN or infinite", t.Error);
            var attempts = File.ReadAllLines(Path.Combine(node.StudyDir("diverge"), $"o{t.Outer}", $"t{t.Trial}", $"s{t.Inner}", "attempts.log"));
            Assert.Single(attempts);
        }
        var raw = await node.Http.GetStringAsync("api/studies/diverge/tasks");
        Assert.Contains("\"kind\":\"diverged\"", raw);

        var trials = node.Cli("trial", "list", "diverge");
        Assert.True(trials.Code == 0, $"exit {trials.Code}\n{trials.Output}\n{trials.Error}");
        Assert.Contains("failed (diverged)", trials.Output);

        var report = await node.Http.GetStringAsync("api/studies/diverge/report");
        Assert.Contains(": diverged: ", report);
        var page = await node.Http.GetAsync("studies/diverge");
        Assert.True(page.IsSuccessStatusCode, $"{page.StatusCode}\n{node.Logs}");
        Assert.Contains("diverged", await page.Content.ReadAsStringAsync());
    }
}
