using Nachos.Shared.Study;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Nachos.Host.Contract;
using Nachos.Host.Dashboard;
using Nachos.Shared.Tasks;
using Nachos.Tests;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// Values from files and from the queue reach the pages HTML-encoded: a class name, a run directory, a
/// hyperparameter value, a study id and a task id holding a script element and quotes show as text.
/// </summary>
public sealed class DashboardEncodingTests
{
    private const string Hostile = "<script>alert(\"x\")</script>'";

    /// <summary>
    /// The page shows <paramref name="value"/> (as a browser decodes it) but its source never holds it raw, so it
    /// opens no element and ends no attribute; the only scripts are the page's own.
    /// </summary>
    private static void AssertEncoded(string html, string value, int ownScripts)
    {
        Assert.DoesNotContain(value, html);
        Assert.DoesNotContain("<script>alert", html);
        Assert.Contains(value, WebUtility.HtmlDecode(html));
        Assert.Equal(ownScripts, Regex.Matches(html, "<script").Count);
    }

    [Fact]
    public void Class_names_a_run_directory_and_hyperparameter_values_are_encoded_on_the_study_model_and_export_pages()
    {
        using var dir = new TempDir();
        var synth = NachosProcess.Run(dir.Path, "dataset", "synth", "--out", "data", "--patients", "16", "--size", "16");
        Assert.True(synth.Code == 0, synth.Error);
        // The synthetic images relabelled by patient number (image,label,mask,patient,site), the second class hostile (CSV-quoted).
        var className = $"lesion {Hostile}";
        var images = File.ReadAllLines(dir.File("data/manifest.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        dir.Write("data/tasks.csv", "image,patient,label\n" + string.Concat(images.Select(f =>
            $"{f[0]},{f[3]},{(int.Parse(f[3][1..]) % 2 == 0 ? "normal" : $"\"{className.Replace("\"", "\"\"")}\"")}\n")));
        dir.Write("spec.yaml", $$"""
            name: hostile
            seed: 4
            task: binary
            dataset: { manifest: data/tasks.csv, group_column: patient, classes: [normal, '{{className.Replace("'", "''")}}'] }
            image: { size: 16 }
            split: { scheme: kfold, outer_folds: 2, inner_folds: 2 }
            training: { max_epochs: 2 }
            search: { sampler: random, trials: 2, parallelism: 2, space: { optimizer: { type: categorical, values: [adam, sgd] } } }
            execution: { trainer: simulated, devices: 2, simulated: { seconds_per_epoch: 0 } }
            """);
        // The run directory's path holds the hostile text (its '/' makes two nested folders).
        var runDir = dir.File($"runs/{Hostile}");
        var run = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", runDir);
        Assert.True(run.Code == 0, $"{run.Output}\n{run.Error}");

        // A report whose configurations hold what no spec would accept: the dashboard shows files as they are.
        var reportPath = Path.Combine(runDir, "report.json");
        var report = JsonNode.Parse(File.ReadAllText(reportPath))!;
        foreach (var fold in report["folds"]!.AsArray())
        {
            fold!["config"]!["values"]!["optimizer"] = Hostile;
            foreach (var trial in fold["trials"]!.AsArray()) trial!["config"]!["values"]!["optimizer"] = Hostile;
        }
        foreach (var s in report["stability"]!.AsArray().Where(s => (string?)s!["parameter"] == "optimizer"))
            s!["chosen"] = new JsonObject { [Hostile] = 2 };
        File.WriteAllText(reportPath, report.ToJsonString());

        var renderer = new DashboardRenderer(StudyRun.Load(runDir));
        var study = renderer.StudyPage(new ServedLinks("hostile"));
        AssertEncoded(study, runDir, 1);
        Assert.Contains($"optimizer={Hostile}", WebUtility.HtmlDecode(study));

        foreach (var model in new[] { TaskAddress.Refit("hostile", 0), TaskAddress.InnerSplit("hostile", 1, 0, 1) })
        {
            var page = renderer.ModelPage(model, new ServedLinks("hostile"));
            AssertEncoded(page, className, 1);
            // In the confusion matrix's headers, the gallery's captions and alt texts, and the ROC legend (ScottPlot's SVG).
            var shown = WebUtility.HtmlDecode(page);
            Assert.Contains($"<th>{className}</th>", shown);
            Assert.Contains($"truth: <strong>{className}</strong>", shown);
            Assert.Contains($"{className} (AUC ", WebUtility.HtmlDecode(StudyFiles.Element(page, "svg", $"roc-{model.Anchor}")));
            Assert.Contains($"optimizer={Hostile}", shown);
        }

        // The export: the page's script and the image store.
        AssertEncoded(renderer.Export(), className, 2);
    }

    [Fact]
    public void A_study_id_task_id_state_and_configuration_are_encoded_on_the_live_pages()
    {
        var progress = new ProgressInfo(1, 8, 1, 0);
        var studies = LivePages.Studies([new StudySummary(Hostile, StudyStates.Running, progress)]);
        AssertEncoded(studies, Hostile, 1);
        Assert.Contains($"href=\"/studies/{Uri.EscapeDataString(Hostile)}\"", studies);

        // A study id is a checked name; the rest of a study's live page comes from the queue as text.
        var detail = new StudyDetail("live", Hostile, progress, [new FoldInfo(0, 1, 4, 1, 0, 1, 2, 0, 2, false)], Hostile, null);
        var config = new Dictionary<string, string> { ["optimizer"] = Hostile };
        var trials = new List<TrialInfo> { new(0, 0, config, Hostile, 1, 2, 0.5, null, null, new Dictionary<string, double?>(), false, null) };
        var view = new StudyProgressView(1, 8, 0, [new FoldProgress(0, 4, 1, 0, 1, 2, 0, 2, false)],
            [new RunningTask($"live/o0/t0/s1 {Hostile}", 0, 0, 1, 3)]);
        var live = LivePages.Study(detail, view, trials, [TaskAddress.InnerSplit("live", 0, 0, 0)], new ServedLinks("live"));
        AssertEncoded(live, Hostile, 1);
        var shown = WebUtility.HtmlDecode(live);
        Assert.Contains("<th data-column=\"hp-optimizer\">optimizer</th>", shown);
        Assert.Contains($"<td>{Hostile}</td>", shown);
        Assert.Contains($"<code>live/o0/t0/s1 {Hostile}</code>", shown);
        Assert.Contains($"<span class=\"badge {Hostile}\" id=\"state\">{Hostile}</span>", shown);
        Assert.Contains("href=\"/studies/live/models/o0/t0/s0\"", live);
    }
}
