using System.Diagnostics;
using static Nachos.EndToEnd.Tests.Campaign;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// deploy/slurm as an operator runs it, with stand-ins for srun, scontrol, scancel and Apptainer
/// (SlurmStandIns/): a "job" of two nodes on 127.0.0.1 and 127.0.0.2 sharing a port, a real PostgreSQL
/// journal, a study added with submit.sh, a worker killed and restarted by node.sh, and SIGTERM to the batch
/// script (walltime) making every node leave. What a real Slurm and Apptainer add (signal delivery,
/// cgroups, GPUs, binds) is not checked here.
/// </summary>
[Collection("cluster")]
public sealed class SlurmTests(PostgresServer postgres)
{
    private static string RepoFolder(string relative)
    {
        var dir = AppContext.BaseDirectory;
        while (!Directory.Exists(Path.Combine(dir, relative))) dir = Path.GetDirectoryName(dir) ?? throw new DirectoryNotFoundException(relative);
        return Path.Combine(dir, relative);
    }

    private static string Log(string dir, string host) => File.Exists(Path.Combine(dir, $"{host}.log")) ? File.ReadAllText(Path.Combine(dir, $"{host}.log")) : "";

    private static void WaitFor(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException(what());
            Thread.Sleep(100);
        }
    }

    [Fact]
    public async Task A_slurm_job_runs_the_cluster_restarts_a_killed_node_and_leaves_on_sigterm_and_the_report_equals_the_fault_free_run()
    {
        var (dir, reference) = Prepare(0.05);
        using var _ = dir;
        var slurm = RepoFolder("deploy/slurm");
        var standIns = RepoFolder("tests/Nachos.EndToEnd.Tests/SlurmStandIns");
        var database = postgres.CreateDatabase($"slurm_{Guid.NewGuid():N}"[..30]);
        var port = LocalCluster.FreePorts(1)[0];
        var root = dir.File("root");
        var jobDir = dir.File("job");
        Directory.CreateDirectory(jobDir);
        File.WriteAllText(dir.File("nachos.env"), $"""
            NACHOS_IMAGE=/images/nachos.sif
            NACHOS_ROOT={root}
            NACHOS_POSTGRES='{database}'
            NACHOS_PORT={port}
            NACHOS_DEVICES=cpu:2
            NACHOS_API_PORT=0
            NACHOS_RESTART_DELAY=1
            NACHOS_HEARTBEAT_PAUSE=3s
            NACHOS_SBR_STABLE_AFTER=3s
            NACHOS_LEASE_TIMEOUT=4s
            """);
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = $"{standIns}:{Environment.GetEnvironmentVariable("PATH")}",
            ["NACHOS_APPTAINER"] = Path.Combine(standIns, "apptainer"),
            ["NACHOS_DLL"] = Path.Combine(AppContext.BaseDirectory, "nachos.dll"),
            ["NACHOS_ENV_FILE"] = dir.File("nachos.env"),
            ["NACHOS_SLURM_DIR"] = slurm,
            ["SLURM_STANDIN_DIR"] = jobDir,
            ["SLURM_JOB_ID"] = "42",
            ["SLURM_JOB_NODELIST"] = "127.0.0.1,127.0.0.2",
        };
        var start = new ProcessStartInfo("bash") { WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(slurm, "nachos.sbatch"));
        foreach (var (k, v) in environment) start.Environment[k] = v;
        using var job = Process.Start(start)!;
        var jobOutput = new System.Text.StringBuilder();
        job.OutputDataReceived += (_, e) => { lock (jobOutput) jobOutput.AppendLine(e.Data); };
        job.ErrorDataReceived += (_, e) => { lock (jobOutput) jobOutput.AppendLine(e.Data); };
        job.BeginOutputReadLine();
        job.BeginErrorReadLine();
        string Logs() { lock (jobOutput) return $"--- job ---\n{jobOutput}\n--- 127.0.0.1 ---\n{Log(jobDir, "127.0.0.1")}\n--- 127.0.0.2 ---\n{Log(jobDir, "127.0.0.2")}"; }
        try
        {
            WaitFor(() => Log(jobDir, "127.0.0.1").Contains("joined as") && Log(jobDir, "127.0.0.2").Contains("joined as"), TimeSpan.FromMinutes(2), () => $"the nodes did not join\n{Logs()}");
            Assert.Contains("roles coordinator,worker", Log(jobDir, "127.0.0.1"));
            Assert.Contains("roles worker", Log(jobDir, "127.0.0.2"));

            var submit = new ProcessStartInfo("bash") { WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true };
            submit.ArgumentList.Add(Path.Combine(slurm, "submit.sh"));
            submit.ArgumentList.Add(dir.File("spec.yaml"));
            foreach (var (k, v) in environment) submit.Environment[k] = v;
            using (var s = Process.Start(submit)!)
            {
                var output = await s.StandardOutput.ReadToEndAsync() + await s.StandardError.ReadToEndAsync();
                await s.WaitForExitAsync();
                Assert.True(s.ExitCode == 0, $"submit.sh exited {s.ExitCode}\n{output}");
            }

            // kill -9 of the worker's node process, mid-study: node.sh starts it again and it rejoins.
            var study = Path.Combine(root, "studies", Study);
            int Finished() => Directory.Exists(study) ? Directory.EnumerateFiles(study, "predictions.csv", SearchOption.AllDirectories).Count() : 0;
            WaitFor(() => Finished() >= 10, TimeSpan.FromMinutes(2), () => $"{Finished()} tasks done\n{Logs()}");
            var pgrep = new ProcessStartInfo("pgrep") { RedirectStandardOutput = true };
            foreach (var a in new[] { "-f", "nachos.dll node .*--public-host 127.0.0.2 " }) pgrep.ArgumentList.Add(a);
            using var worker = Process.Start(pgrep)!;
            var pids = (await worker.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(pids.Length == 1, $"expected one worker node process, found {pids.Length}\n{Logs()}");
            Process.Start("kill", ["-KILL", pids[0]])!.WaitForExit();
            WaitFor(() => Log(jobDir, "127.0.0.2").Contains("restart 1 of 10"), TimeSpan.FromMinutes(1), () => $"node.sh did not restart the node\n{Logs()}");

            var report = Path.Combine(study, "report.json");
            WaitFor(() => File.Exists(report), TimeSpan.FromMinutes(3), () => $"no report; {Finished()} tasks done\n{Logs()}");
            Assert.Equal(reference, File.ReadAllText(report));
            await AssertExactlyOnce(database);
            // The study may end before the restarted worker is back (the coordinator works too); it still rejoins.
            int Joins() => System.Text.RegularExpressions.Regex.Count(Log(jobDir, "127.0.0.2"), "joined as");
            WaitFor(() => Joins() >= 2, TimeSpan.FromMinutes(2), () => $"the restarted worker did not rejoin\n{Logs()}");

            // CI runs the end-to-end tests in parallel and their blocking waits keep the thread pool busy, which
            // delays the job's output events: so does this test while the job ends.
            for (var i = 0; i < 20; i++) ThreadPool.QueueUserWorkItem(_ => Thread.Sleep(TimeSpan.FromSeconds(5)));
            // Walltime: Slurm's SIGTERM to the batch script; every node leaves and the job ends cleanly.
            Process.Start("kill", ["-TERM", job.Id.ToString()])!.WaitForExit();
            Assert.True(job.WaitForExit(TimeSpan.FromMinutes(2)), $"the job did not end after SIGTERM\n{Logs()}");
            // A timed WaitForExit returns without waiting for the output events: with the thread pool busy
            // (end-to-end tests in parallel) the trap's line, printed seconds earlier, was not read yet.
            await job.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(job.ExitCode == 0, $"job exit {job.ExitCode}\n{Logs()}");
            Assert.True(Logs().Contains("nachos job 42: SIGTERM, the nodes leave"), $"the batch script's trap did not run\n{Logs()}");
            Assert.Contains("node.sh [127.0.0.1]: left (exit 0)", Log(jobDir, "127.0.0.1"));
            Assert.Contains("node.sh [127.0.0.2]: left (exit 0)", Log(jobDir, "127.0.0.2"));
        }
        finally
        {
            if (!job.HasExited) job.Kill(entireProcessTree: true);
            // Nothing of the job may outlive the test.
            try { Process.Start("pkill", ["-KILL", "-f", "--", $"nachos.dll node --root {root} "])?.WaitForExit(); }
            catch (System.ComponentModel.Win32Exception) { } // no pkill: the job's own kill above has to do
        }
    }
}
