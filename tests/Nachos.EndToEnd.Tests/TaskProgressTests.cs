using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Nachos.Host.Api;
using Nachos.Shared.Study;
using Nachos.Host.Contract;

namespace Nachos.EndToEnd.Tests;

/// <summary>A real training in a child <c>nachos task</c> process reports its epochs while it runs: the tasks API, the live page and <c>study watch</c>.</summary>
public sealed class TaskProgressTests(ApiNode node) : IClassFixture<ApiNode>
{
    [Fact]
    public async Task A_running_child_task_s_epoch_shows_in_the_tasks_api_the_live_page_and_study_watch()
    {
        var spec = RunCommandTests.TorchSpec("progress",
            "{ max_epochs: 40, batch_size: 8, early_stopping: { patience: 40 } }",
            "{ trials: 1, parallelism: 1 }",
            "{ trainer: torch, executor: subprocess }");
        var submitted = await node.Submit(spec);
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
        using var watch = new NachosProcess(node.WorkDir, "--host", node.HostPort, "--root", node.Root, "study", "watch", "progress", "--interval", "0.3");

        TaskInfo? running = null;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (running is null && DateTime.UtcNow < deadline)
        {
            var tasks = (await node.Http.GetFromJsonAsync<TaskList>("api/studies/progress/tasks?state=running", ApiJson.Options))!.Tasks;
            running = tasks.FirstOrDefault(t => t.Epoch > 0);
            if (running is null) await Task.Delay(200);
        }
        Assert.True(running is not null, $"no running task reported an epoch\n{node.Logs}");
        Assert.Equal(40, running.MaxEpochs);
        Assert.InRange(running.Epoch!.Value, 1, 39);
        var raw = await node.Http.GetStringAsync("api/studies/progress/tasks?state=running");
        Assert.Matches("\"epoch\":[1-9][0-9]*,\"maxEpochs\":40", raw);
        var page = await node.Http.GetStringAsync("studies/progress");
        Assert.Contains("id=\"running\"", page);
        Assert.Matches(@"epoch \d+/40", page);

        // The child's own record of its epochs, one JSON line each.
        var progressFile = Path.Combine(node.StudyDir("progress"), $"o{running.Outer}", $"t{running.Trial}", $"s{running.Inner}", RunLayout.Progress);
        Assert.Contains("\"max_epochs\":40", File.ReadLines(progressFile).First());

        // The watch polls on its own clock: let it see a running epoch before the study is cancelled.
        var epochLine = new Regex(@"^  progress/o\d/t0/s\d: epoch \d+/40$", RegexOptions.Multiline);
        deadline = DateTime.UtcNow.AddMinutes(1);
        while (!epochLine.IsMatch(watch.Output) && !watch.HasExited && DateTime.UtcNow < deadline) await Task.Delay(100);

        var cancel = await node.Http.PostAsync("api/studies/progress/cancel", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.True(cancel.IsSuccessStatusCode, $"{cancel.StatusCode}: {await cancel.Content.ReadAsStringAsync()}");
        Assert.Equal(1, watch.Wait(TimeSpan.FromMinutes(1))); // cancelled: exit 1
        Assert.Matches(epochLine, watch.Output);
    }
}
