using System.Security.Cryptography;
using System.Text.Json;
using Nachos.Tests;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// <c>nachos deploy RUN_DIR</c>: DACHOS for a study that finished without <c>deploy:</c>. Its deploy fold equals that of the
/// same spec run with <c>deploy:</c> from the start, survives kill -9, and the finished study's files are not touched.
/// </summary>
public sealed class DeployFinishedStudyTests
{
    private static string Spec(double secondsPerEpoch) => SimulatedSpecs.Yaml("late", secondsPerEpoch, 6, outer: 3, inner: 2, devices: 2);

    private static string Why((int Code, string Output, string Error) r) => $"exit {r.Code}\n{r.Output}\n{r.Error}";

    private static string Hash(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void Deploying_a_finished_study_later_gives_the_final_model_of_the_same_spec_with_deploy_and_changes_nothing_of_the_study()
    {
        using var dir = new TempDir();
        dir.Write("spec.yaml", Spec(0.1));
        dir.Write("with-deploy.yaml", Spec(0.1) + "\ndeploy: { final: all-data }\n");
        var run = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "study");
        Assert.True(run.Code == 0, Why(run));
        var reference = NachosProcess.Run(dir.Path, "run", "with-deploy.yaml", "--run-dir", "reference");
        Assert.True(reference.Code == 0, Why(reference));
        var study = dir.File("study");
        string[] files = ["report.json", "splits.json", "spec.yaml", "report.csv", "journal.db"];
        var before = files.ToDictionary(f => f, f => Hash(Path.Combine(study, f)));

        // Killed while the deploy fold's search runs, then resumed: tasks already done are not run again.
        using (var deploy = new NachosProcess(dir.Path, "deploy", "study"))
        {
            var deployFold = Path.Combine(study, "deploy", "o3");
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (PredictionFiles(deployFold).Count < 6 && !deploy.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(50);
            Assert.False(deploy.HasExited, $"finished before the kill; slow the simulated trainer\n{deploy.Output}\n{deploy.Error}");
            deploy.KillHard();
            deploy.Wait(TimeSpan.FromSeconds(30));
        }
        var doneBefore = PredictionFiles(Path.Combine(study, "deploy", "o3")).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        Assert.NotEmpty(doneBefore);
        var resumed = NachosProcess.Run(dir.Path, "deploy", "study");
        Assert.True(resumed.Code == 0, Why(resumed));
        Assert.Contains("late: deploying: its 3 outer folds are taken from", resumed.Output);
        Assert.Contains("Final model (DACHOS): the same search on all", resumed.Output);
        // Only a task still running at the kill (2 device slots) may run again; every one the queue had recorded is answered from the journal.
        var rewritten = doneBefore.Count(f => File.GetLastWriteTimeUtc(f.Key) != f.Value);
        Assert.True(rewritten <= 2, $"{rewritten} of {doneBefore.Count} finished tasks ran again after the kill");

        // The finished study is as it was: its report, plan, spec and journal, byte for byte.
        foreach (var f in files) Assert.Equal(before[f], Hash(Path.Combine(study, f)));

        // The deploy run: the outer folds' estimate unchanged, and the deploy fold of the spec run with deploy: from the start.
        using var original = JsonDocument.Parse(File.ReadAllText(Path.Combine(study, "report.json")));
        using var deployed = JsonDocument.Parse(File.ReadAllText(Path.Combine(study, "deploy", "report.json")));
        using var expected = JsonDocument.Parse(File.ReadAllText(dir.File("reference/report.json")));
        Assert.True(deployed.RootElement.GetProperty("complete").GetBoolean());
        Assert.Equal(original.RootElement.GetProperty("metrics").ToString(), deployed.RootElement.GetProperty("metrics").ToString());
        Assert.Equal(original.RootElement.GetProperty("folds").ToString(), deployed.RootElement.GetProperty("folds").ToString());
        var final = deployed.RootElement.GetProperty("deploy");
        var reference3 = expected.RootElement.GetProperty("deploy");
        Assert.Equal(3, final.GetProperty("outer").GetInt32());
        foreach (var key in new[] { "chosen_trial", "config", "refit_epochs", "trials" })
            Assert.Equal(reference3.GetProperty(key).ToString(), final.GetProperty(key).ToString());
        Assert.True(File.Exists(Path.Combine(study, "deploy", "o3", "refit", "predictions.csv"))); // the final model, in the deploy run directory
        // Its plan: the study's outer folds and the reference's deploy fold; the study's own splits.json has none.
        using var plan = JsonDocument.Parse(File.ReadAllText(Path.Combine(study, "deploy", "splits.json")));
        using var referencePlan = JsonDocument.Parse(File.ReadAllText(dir.File("reference/splits.json")));
        Assert.Equal(referencePlan.RootElement.GetProperty("hash").GetString(), plan.RootElement.GetProperty("hash").GetString());
        Assert.False(original.RootElement.TryGetProperty("deploy", out _));

        // Once is enough; a study with deploy: of its own is deployed already.
        var again = NachosProcess.Run(dir.Path, "deploy", "study");
        Assert.True(again.Code == 2, Why(again));
        Assert.Contains("study late is already deployed", again.Error);
        Assert.Contains(Path.Combine("deploy", "report.json"), again.Error);
        var own = NachosProcess.Run(dir.Path, "deploy", "reference");
        Assert.True(own.Code == 2, Why(own));
        Assert.Contains("its spec has a deploy: section (final: all-data)", own.Error);
    }

    [Fact]
    public void A_folder_that_is_no_run_directory_and_a_study_that_has_not_finished_are_refused_naming_what()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("empty"));
        var empty = NachosProcess.Run(dir.Path, "deploy", "empty");
        Assert.True(empty.Code == 2, Why(empty));
        Assert.Contains("empty: not a run directory (spec.yaml, spec-source.txt or splits.json missing)", empty.Error);
        var missing = NachosProcess.Run(dir.Path, "deploy", "nowhere");
        Assert.True(missing.Code == 2, Why(missing));
        Assert.Contains("nowhere: no such run directory", missing.Error);

        // A study that has stored its spec and plan but has no report yet.
        dir.Write("spec.yaml", Spec(0));
        var run = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "study");
        Assert.True(run.Code == 0, Why(run));
        var unfinished = dir.File("unfinished");
        Directory.CreateDirectory(unfinished);
        foreach (var f in new[] { "spec.yaml", "spec-source.txt", "splits.json" }) File.Copy(dir.File(Path.Combine("study", f)), Path.Combine(unfinished, f));
        var notDone = NachosProcess.Run(dir.Path, "deploy", "unfinished");
        Assert.True(notDone.Code == 2, Why(notDone));
        Assert.Contains("study late has not finished (report.json missing)", notDone.Error);

        var badFinal = NachosProcess.Run(dir.Path, "deploy", "study", "--final", "everything");
        Assert.True(badFinal.Code == 2, Why(badFinal));
        Assert.Contains("--final everything: expected all-data, fold-ensemble, both", badFinal.Error);
        foreach (var r in new[] { empty, missing, notDone, badFinal }) Assert.DoesNotContain("   at ", r.Error);
        Assert.False(Directory.Exists(dir.File("study/deploy")));
    }

    private static List<string> PredictionFiles(string folder) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder, "predictions.csv", SearchOption.AllDirectories).ToList() : [];
}
