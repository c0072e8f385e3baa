using Nachos.Tests;

namespace Nachos.EndToEnd.Tests;

/// <summary>A run directory is claimed before anything is written to it, and one that cannot be used says why.</summary>
public sealed class RunDirectoryTests
{
    private static string Spec(string name, int seed) => SimulatedSpecs.Yaml(name, 0.05, 8, seed: seed, devices: 2);

    [Fact]
    public void Of_two_runs_started_at_once_on_one_new_run_directory_the_loser_changes_nothing()
    {
        using var dir = new TempDir();
        // Two different studies (other data, another plan), each beside its own data, aimed at one run directory.
        dir.Write("a/spec.yaml", Spec("race", 5));
        dir.Write("b/spec.yaml", Spec("race", 6).Replace("seed: 3 }", "seed: 4 }"));
        var runDir = dir.File("runs/race");
        using var a = new NachosProcess(dir.Path, "run", "a/spec.yaml", "--run-dir", runDir);
        using var b = new NachosProcess(dir.Path, "run", "b/spec.yaml", "--run-dir", runDir);
        var codes = new[] { a.Wait(TimeSpan.FromMinutes(3)), b.Wait(TimeSpan.FromMinutes(3)) };
        var logs = $"a: {a.Output}\n{a.Error}\nb: {b.Output}\n{b.Error}";
        Assert.True(codes.Order().SequenceEqual([0, 2]), $"exits {codes[0]}, {codes[1]}\n{logs}");
        var (winner, loser) = codes[0] == 0 ? (a, b) : (b, a);
        Assert.True(loser.Error.Contains("in use by another nachos process"), logs);
        Assert.DoesNotContain("   at ", loser.Error);

        // The directory is the winner's, whole: running the winner's spec again answers from it.
        var winnerSpec = winner == a ? "a/spec.yaml" : "b/spec.yaml";
        Assert.Equal(File.ReadAllText(dir.File(winnerSpec)), File.ReadAllText(Path.Combine(runDir, "spec.yaml")));
        var report = File.ReadAllText(Path.Combine(runDir, "report.json"));
        var again = NachosProcess.Run(dir.Path, "run", winnerSpec, "--run-dir", runDir);
        Assert.True(again.Code == 0, $"exit {again.Code}\n{again.Output}\n{again.Error}");
        Assert.Equal(report, File.ReadAllText(Path.Combine(runDir, "report.json")));
    }

    [Fact]
    public void A_read_only_run_directory_is_refused_with_its_cause()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), Spec("ro", 5));
        using var mount = new Tmpfs(dir.File("ro"), 1, readOnly: true);
        var run = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", Path.Combine(mount.Path, "run"));
        Assert.True(run.Code == 2, $"exit {run.Code}\n{run.Output}\n{run.Error}");
        Assert.Contains($"{Path.Combine(mount.Path, "run")}: cannot write there (Read-only file system", run.Error);
        Assert.DoesNotContain("in use", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")] // file modes
    public void A_run_directory_the_user_may_not_write_is_refused_as_such()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), Spec("denied", 5));
        var locked = dir.File("locked");
        Directory.CreateDirectory(locked);
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        // The tests run as root, which may write anywhere: without these capabilities the file modes apply.
        string[] unprivileged = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search"];
        var run = NachosProcess.RunWrapped(unprivileged, dir.Path, "run", "spec.yaml", "--run-dir", Path.Combine(locked, "run"));
        Assert.True(run.Code == 2, $"exit {run.Code}\n{run.Output}\n{run.Error}");
        Assert.Contains($"{Path.Combine(locked, "run")}: permission denied", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
        Assert.Empty(Directory.GetFileSystemEntries(locked));
    }

    [Theory]
    [InlineData(false)] // Ctrl-C
    [InlineData(true)] // SIGTERM
    public void A_signal_while_the_run_is_still_loading_its_data_stops_it_in_order_and_writes_nothing(bool sigterm)
    {
        using var dir = new TempDir();
        // Enough synthetic patients that generating them takes a while.
        File.WriteAllText(dir.File("spec.yaml"), Spec("early", 5).Replace("patients: 30, sites: 2, size: 16", "patients: 3000, sites: 2, size: 64"));
        using var run = new NachosProcess(dir.Path, "run", "spec.yaml");
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!Directory.Exists(dir.File("data")) && !run.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(10);
        Assert.False(run.HasExited, $"ended before it loaded its data\n{run.Output}\n{run.Error}");
        if (sigterm) run.Terminate();
        else run.Interrupt();
        var code = run.Wait(TimeSpan.FromMinutes(2));
        // Killed by the signal's default action, it would exit 130 (SIGINT) or 143 (SIGTERM) without a word.
        Assert.True(code == 130, $"exit {code}\n{run.Output}\n{run.Error}");
        Assert.Contains("stopped before the study started; nothing ran", run.Error);
        Assert.False(Directory.Exists(dir.File("runs/early")));
    }
}
