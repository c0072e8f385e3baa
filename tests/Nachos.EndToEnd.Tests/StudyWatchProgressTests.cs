using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Nachos.Host.Contract;
using Nachos.Shared.Study;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// <c>study watch</c> and the live study page tell the truth while a simulated study runs on a real node: the time
/// estimate from measured task times, the best inner score per outer fold, and the result at the end.
/// </summary>
public sealed class StudyWatchProgressTests(ApiNode node) : IClassFixture<ApiNode>
{
    [Fact]
    public async Task Watch_and_live_page_show_elapsed_time_and_estimate_while_running_the_best_score_per_fold_and_end_with_the_result()
    {
        File.WriteAllText(Path.Combine(node.WorkDir, "eta.yaml"), ApiNode.Spec("eta", 0.3));
        var submit = node.Cli("study", "submit", "eta.yaml");
        Assert.True(submit.Code == 0, $"{submit.Output}\n{submit.Error}");
        // Piped: a line per change, as in a Slurm log.
        using var watch = new NachosProcess(node.WorkDir, "--host", node.HostPort, "--root", node.Root, "study", "watch", "eta", "--interval", "0.3");

        // Once a task's time is measured the live page shows the estimate (while the study still runs).
        var measured = await node.WaitFor("eta", s => s.Progress.MeasuredTasks > 0 || StudyStates.IsFinal(s.State), TimeSpan.FromMinutes(2));
        Assert.Equal(StudyStates.Running, measured.State);
        Assert.True(measured.Progress.MeanTaskSeconds > 0, $"mean task seconds {measured.Progress.MeanTaskSeconds}");
        Assert.Equal(2, measured.Progress.Devices);
        Assert.NotNull(measured.Progress.Started);
        var page = await node.Http.GetStringAsync("studies/eta");
        Assert.Matches(@"<p id=""time"">elapsed \d+ (s|min)[^<]*, about \d+ (s|min)[^<]* left \(mean task [0-9.]+ s over \d+, 2 device slots\)", page);
        Assert.Contains("best inner auroc", page);

        Assert.Equal(0, watch.Wait(TimeSpan.FromMinutes(3)));
        var lines = watch.Output.Split('\n');
        // While running: the estimate, measured; and a fold's best score once a trial of it had finished.
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^eta: running, \d+/18 tasks ended.*; elapsed \d+ .*, about \d+ .* left \(mean task [0-9.]+ s over \d+, 2 device slots\)$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^eta: running, .*; best inner auroc: fold \d [0-9.]+"));
        // It ends with the result in words and the report, after the final state.
        var end = watch.Output.IndexOf("eta: complete\n", StringComparison.Ordinal);
        Assert.True(end >= 0, watch.Output);
        Assert.True(watch.Output.IndexOf("eta: mean test AUROC", end, StringComparison.Ordinal) > end, watch.Output);

        // The best score per fold is the best of that fold's finished trials in the trials API.
        var study = await node.Study("eta");
        var trials = (await node.Http.GetFromJsonAsync<TrialList>("api/studies/eta/trials", ApiJson.Options))!.Trials;
        Assert.Equal(2, study.Folds.Count);
        foreach (var fold in study.Folds)
        {
            var finished = trials.Where(t => t.Outer == fold.Outer && t.State == TaskStates.Succeeded && t.Score is not null).ToList();
            Assert.Equal(4, finished.Count);
            Assert.Equal(finished.Max(t => t.Score), fold.BestScore);
        }
    }
}
