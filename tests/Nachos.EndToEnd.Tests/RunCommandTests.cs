using System.Text.Json;

namespace Nachos.EndToEnd.Tests;

public sealed class RunCommandTests
{
    private static string SimulatedSpec(double secondsPerEpoch) => SimulatedSpecs.Yaml("sim", secondsPerEpoch, 24, devices: 4);

    /// <summary>A tiny real (TorchSharp) study: 2 outer × 2 inner folds of 24 synthetic patients at 32 px.</summary>
    internal static string TorchSpec(string name, string training, string search, string execution) => $$"""
        name: {{name}}
        seed: 3
        task: binary
        dataset:
          synthetic: { out: data, patients: 24, sites: 2, size: 32, seed: 4 }
          classes: [normal, lesion]
        image: { size: 32 }
        split: { scheme: kfold, outer_folds: 2, inner_folds: 2 }
        model: { architecture: simple-cnn, width: 0.5 }
        training: {{training}}
        search: {{search}}
        execution: {{execution}}
        """;

    /// <summary>report.json without anything that may legitimately differ between runs (nothing, today).</summary>
    private static string Report(string runDir) => File.ReadAllText(Path.Combine(runDir, "report.json"));

    [Fact]
    public void Kill_9_mid_study_then_rerun_gives_the_same_report_as_an_uninterrupted_run()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), SimulatedSpec(0.01));
        var straight = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "straight");
        Assert.True(straight.Code == 0, $"exit {straight.Code}\n{straight.Output}\n{straight.Error}");

        using (var run = new NachosProcess(dir.Path, "run", "spec.yaml", "--run-dir", "killed"))
        {
            // Kill once a good part of the trials has finished but well before the end.
            var deadline = DateTime.UtcNow.AddMinutes(2);
            var taskResults = Path.Combine(dir.Path, "killed");
            while (DateTime.UtcNow < deadline && CountPredictions(taskResults) < 60) Thread.Sleep(20);
            Assert.True(CountPredictions(taskResults) >= 60, $"too slow to reach the kill point\n{run.Output}\n{run.Error}");
            Assert.False(File.Exists(Path.Combine(taskResults, "report.json")), "finished before the kill; slow the simulated trainer");
            run.KillHard();
            run.Wait(TimeSpan.FromSeconds(30));
        }
        var finishedBefore = PredictionFiles(dir.File("killed"));
        var resumed = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "killed");
        Assert.True(resumed.Code == 0, $"exit {resumed.Code}\n{resumed.Output}\n{resumed.Error}");
        Assert.Equal(Report(dir.File("straight")), Report(dir.File("killed")));

        // Completed tasks were not run again. A task may have written its files in the instant before the kill
        // without its result reaching the journal; at most the 4 devices' last tasks (and those persisting) are.
        var after = PredictionFiles(dir.File("killed"));
        var rerun = finishedBefore.Count(kv => after[kv.Key] != kv.Value);
        Assert.True(rerun <= 8, $"{rerun} of {finishedBefore.Count} finished tasks ran again after the restart");
        Assert.True(after.Count > finishedBefore.Count, "the rerun finished the study");
    }

    private static int CountPredictions(string dir) =>
        Directory.Exists(dir) ? Directory.EnumerateFiles(dir, "predictions.csv", SearchOption.AllDirectories).Count() : 0;

    /// <summary>Each finished task's predictions file and when it was written.</summary>
    private static Dictionary<string, DateTime> PredictionFiles(string dir) =>
        Directory.EnumerateFiles(dir, "predictions.csv", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);

    /// <summary>
    /// The task processes a run started (its children) with the task folders they work on: a <c>nachos task</c> names its
    /// own; a device's <c>nachos worker</c> works on the one folder of <paramref name="runDir"/> whose attempt has begun and
    /// not ended (the test's one device runs one task at a time).
    /// </summary>
    private static IEnumerable<(int Pid, string Dir)> TaskProcesses(int runPid, string runDir)
    {
        // Each thread lists the children it started; the device threads start the task processes.
        var children = new List<int>();
        foreach (var thread in Directory.EnumerateDirectories($"/proc/{runPid}/task"))
        {
            try { children.AddRange(File.ReadAllText(Path.Combine(thread, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)); }
            catch (IOException) { } // the thread ended meanwhile
        }
        foreach (var pid in children)
        {
            string[] args;
            try { args = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0'); }
            catch (IOException) { continue; } // ended meanwhile
            var taskFile = Array.IndexOf(args, "--task-file");
            if (args.Contains("task") && taskFile >= 0 && taskFile + 1 < args.Length) yield return (pid, Path.GetDirectoryName(args[taskFile + 1])!);
            if (args.Contains("worker") && Directory.Exists(runDir))
                foreach (var attempts in Directory.EnumerateFiles(runDir, "attempts.log", SearchOption.AllDirectories))
                    if (Path.GetDirectoryName(attempts) is { } folder && !File.Exists(Path.Combine(folder, "result.json"))) yield return (pid, folder);
        }
    }

    [Fact]
    public void A_worker_per_device_runs_its_tasks_in_one_process_with_the_results_of_a_process_per_task()
    {
        using var dir = new TempDir();
        foreach (var executor in new[] { "subprocess", "worker" })
        {
            File.WriteAllText(dir.File($"{executor}.yaml"), TorchSpec("same", "{ max_epochs: 2, batch_size: 8 }",
                "{ trials: 2, parallelism: 2, sampler: random, space: { learning_rate: { type: log-uniform, low: 0.0001, high: 0.1 } } }",
                $"{{ trainer: torch, executor: {executor}, devices: 2, max_retries: 0 }}"));
            var run = NachosProcess.Run(dir.Path, "run", $"{executor}.yaml", "--run-dir", executor);
            Assert.True(run.Code == 0, $"{executor}: exit {run.Code}\n{run.Output}\n{run.Error}");
        }
        Assert.Equal(Report(dir.File("subprocess")), Report(dir.File("worker")));
        var predictions = Directory.EnumerateFiles(dir.File("subprocess"), "predictions.csv", SearchOption.AllDirectories).Order().ToList();
        Assert.Equal(2 * (2 * 2 + 1), predictions.Count); // per outer fold: 2 trials × 2 inner splits, and the refit
        foreach (var file in predictions)
            Assert.Equal(File.ReadAllText(file), File.ReadAllText(file.Replace(dir.File("subprocess"), dir.File("worker"))));

        // Which process ran each attempt: one each, or one of the two devices' workers, which ended with the run.
        int[] Processes(string runDir) => Directory.EnumerateFiles(runDir, "attempts.log", SearchOption.AllDirectories)
            .SelectMany(File.ReadAllLines).Select(line => int.Parse(System.Text.RegularExpressions.Regex.Match(line, @" process (\d+) ").Groups[1].Value)).ToArray();
        var separate = Processes(dir.File("subprocess"));
        Assert.Equal(predictions.Count, separate.Length);
        Assert.Equal(separate.Length, separate.Distinct().Count());
        var workers = Processes(dir.File("worker"));
        Assert.Equal(predictions.Count, workers.Length);
        Assert.InRange(workers.Distinct().Count(), 1, 2);
        Assert.All(workers.Distinct(), pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"worker {pid} outlived its run"));
    }

    [Theory]
    [InlineData("subprocess")]
    [InlineData("worker")]
    public void A_task_process_killed_mid_training_fails_that_attempt_only_and_the_retry_resumes_from_its_checkpoint(string executor)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), TorchSpec("crash",
            "{ max_epochs: 15, batch_size: 8, early_stopping: { patience: 15 } }",
            "{ trials: 1, parallelism: 1 }",
            $"{{ trainer: torch, executor: {executor}, devices: 1, max_retries: 1 }}"));
        string killedTask;
        using (var run = new NachosProcess(dir.Path, "run", "spec.yaml"))
        {
            // A task process that has checkpointed, killed as the kernel's OOM killer or a native crash would end it.
            var deadline = DateTime.UtcNow.AddMinutes(2);
            (int Pid, string Dir)? victim = null;
            while (DateTime.UtcNow < deadline && victim is null)
            {
                Thread.Sleep(20);
                victim = TaskProcesses(run.Id, dir.File("runs/crash")).Where(t => File.Exists(Path.Combine(t.Dir, "checkpoint", "state.json"))).Cast<(int, string)?>().FirstOrDefault();
            }
            Assert.True(victim is not null, $"no running task with a checkpoint\n{run.Output}\n{run.Error}");
            killedTask = victim.Value.Dir;
            System.Diagnostics.Process.Start("kill", ["-KILL", victim.Value.Pid.ToString()])!.WaitForExit();
            var code = run.Wait(TimeSpan.FromMinutes(5));
            Assert.True(code == 0, $"exit {code}\n{run.Output}\n{run.Error}");
        }
        using var report = JsonDocument.Parse(File.ReadAllText(dir.File("runs/crash/report.json")));
        Assert.True(report.RootElement.GetProperty("complete").GetBoolean());
        var attempts = File.ReadAllLines(Path.Combine(killedTask, "attempts.log"));
        Assert.Equal(2, attempts.Length);
        Assert.Contains("from scratch", attempts[0]);
        Assert.Contains("resuming at epoch", attempts[1]);
        Assert.Equal(16, File.ReadAllLines(Path.Combine(killedTask, "history.csv")).Length); // one row per epoch, none twice
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")] // file modes
    public void A_second_node_on_the_same_run_directory_is_refused_and_an_invalid_spec_persists_nothing()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), SimulatedSpec(0.05));
        using (var first = new NachosProcess(dir.Path, "run", "spec.yaml"))
        {
            // The campaign key: the node is starting, after it claimed the run directory (node.pid) and checked the journal.
            var started = dir.File("runs/sim/campaign-key.p12");
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (!File.Exists(started) && DateTime.UtcNow < deadline) Thread.Sleep(50);
            // The embedded node's transport authenticates its peers with a key only this user can read.
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.File("runs/sim/campaign-key.p12")));
            var second = NachosProcess.Run(dir.Path, "run", "spec.yaml");
            Assert.Equal(2, second.Code);
            Assert.Contains("in use by another nachos process", second.Error);
        }

        File.WriteAllText(dir.File("bad.yaml"), SimulatedSpec(0).Replace("name: sim", "name: bad").Replace("trials: 24", "trials: -1"));
        var bad = NachosProcess.Run(dir.Path, "run", "bad.yaml");
        Assert.Equal(2, bad.Code);
        Assert.Contains("search.trials", bad.Error);
        Assert.False(Directory.Exists(dir.File("runs/bad")));
    }

    [Fact]
    public void Real_training_through_subprocess_tasks_completes_a_nested_study_and_reports_it()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), TorchSpec("tiny",
            "{ max_epochs: 3, batch_size: 16, optimizer: adam, learning_rate: 0.003 }",
            "{ trials: 2, parallelism: 2, space: { learning_rate: { type: log-uniform, low: 0.001, high: 0.01 } } }",
            "{ trainer: torch, executor: subprocess, devices: 2 }"));
        var (code, output, error) = NachosProcess.Run(dir.Path, "run", "spec.yaml");
        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        using var report = JsonDocument.Parse(File.ReadAllText(dir.File("runs/tiny/report.json")));
        var folds = report.RootElement.GetProperty("folds");
        Assert.Equal(2, folds.GetArrayLength());
        foreach (var fold in folds.EnumerateArray())
        {
            Assert.Equal(2, fold.GetProperty("trials").GetArrayLength());
            Assert.InRange(fold.GetProperty("test_metrics").GetProperty("auroc").GetDouble(), 0, 1);
            Assert.InRange(fold.GetProperty("refit_epochs").GetInt32(), 1, 3);
        }
        // Each task ran in its own process and left its result and checkpoint in its folder.
        Assert.True(File.Exists(dir.File("runs/tiny/o0/t0/s1/result.json")));
        Assert.True(File.Exists(dir.File("runs/tiny/o1/refit/checkpoint/state.json")));
        Assert.Contains("95% CI", output);
    }

    [Theory]
    [InlineData(false)] // Ctrl-C in a terminal
    [InlineData(true)] // SIGTERM to a run a batch script started in the background (SIGINT ignored, so its task processes too)
    public void Ctrl_c_or_sigterm_stops_a_real_study_gracefully_and_the_same_command_resumes_it(bool batchScript)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), TorchSpec("stop",
            "{ max_epochs: 40, batch_size: 8, early_stopping: { patience: 40 } }",
            "{ trials: 1, parallelism: 1 }",
            "{ trainer: torch, executor: subprocess, devices: 1 }"));
        var runDir = dir.File("runs/stop");
        string? interrupted;
        using (var run = batchScript ? NachosProcess.StartFromBatchScript(dir.Path, "run", "spec.yaml") : new NachosProcess(dir.Path, "run", "spec.yaml"))
        {
            string? Checkpointed() => Directory.EnumerateFiles(dir.Path, "state.json", SearchOption.AllDirectories).FirstOrDefault();
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (DateTime.UtcNow < deadline && Checkpointed() is null) Thread.Sleep(50);
            interrupted = Path.GetDirectoryName(Path.GetDirectoryName(Checkpointed()));
            Assert.True(interrupted is not null, $"no task checkpointed\n{run.Output}\n{run.Error}");
            if (batchScript) run.Terminate();
            else run.Interrupt();
            var code = run.Wait(TimeSpan.FromMinutes(1));
            Assert.True(code == 130, $"exit {code}\n{run.Output}\n{run.Error}");
            Assert.Contains("run the same command again to resume", run.Error);
        }
        // The task process stopped too, mid-way, with a checkpoint (one that ignored the signal would have trained on to the end).
        Assert.False(File.Exists(Path.Combine(interrupted!, "result.json")));
        using (var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(interrupted, "checkpoint", "state.json"))))
            Assert.InRange(state.RootElement.GetProperty("Epoch").GetInt32(), 1, 39);
        Assert.False(File.Exists(Path.Combine(runDir, "report.json")));

        // The rest of the study's training: the limit only guards against a hang (a loaded machine takes several minutes).
        var resumed = NachosProcess.Run(TimeSpan.FromMinutes(15), dir.Path, null, "run", "spec.yaml");
        Assert.True(resumed.Code == 0, $"exit {resumed.Code}\n{resumed.Output}\n{resumed.Error}");
        Assert.True(File.Exists(Path.Combine(runDir, "report.json")));
        // The interrupted task finished from its checkpoint: its history has one row per epoch, no more.
        var history = File.ReadAllLines(Path.Combine(runDir, "o0", "t0", "s0", "history.csv"));
        Assert.Equal(41, history.Length);
    }

    [Theory]
    [InlineData("subprocess")]
    [InlineData("worker")]
    public void A_task_past_its_timeout_is_killed_and_after_its_retries_the_study_ends_with_a_partial_report(string executor)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), TorchSpec("slow",
            "{ max_epochs: 100000, early_stopping: { enabled: false } }",
            "{ trials: 1, parallelism: 1 }",
            $"{{ trainer: torch, executor: {executor}, devices: 1, max_retries: 0, max_failed_trials: 0, task_timeout_seconds: 4 }}"));
        var (code, output, error) = NachosProcess.Run(dir.Path, "run", "spec.yaml");
        Assert.True(code == 1, $"exit {code}\n{output}\n{error}");
        Assert.Contains("task_timeout_seconds = 4", error);
        Assert.Contains("partial", error);
        using var report = JsonDocument.Parse(File.ReadAllText(dir.File("runs/slow/report.json")));
        Assert.False(report.RootElement.GetProperty("complete").GetBoolean());
    }
}
