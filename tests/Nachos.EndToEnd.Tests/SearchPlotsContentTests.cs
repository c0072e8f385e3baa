using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Nachos.Host.Dashboard;
using Nachos.Shared.Tasks;
using static Nachos.EndToEnd.Tests.StudyFiles;

namespace Nachos.EndToEnd.Tests;

/// <summary>The search plots per outer fold on the study page and in the HTML export of studies finished by the real <c>nachos</c>.</summary>
[Collection(FinishedStudiesCollection.Name)]
public sealed class SearchPlotsContentTests(FinishedStudies studies)
{
    [Fact]
    public void The_study_page_and_the_export_plot_every_folds_search_with_a_titled_point_per_trial_and_the_chosen_trial_marked()
    {
        var study = studies.Simulated;
        using var report = Report(study.RunDir);
        var folds = report.RootElement.GetProperty("folds").EnumerateArray().ToList();
        foreach (var html in new[] { new DashboardRenderer(StudyRun.Load(study.RunDir)).StudyPage(new ServedLinks("sim")), File.ReadAllText(study.Html) })
        {
            Assert.Contains("<h2 id=\"search-plots\">", html);
            Assert.Contains("Spearman ρ²", html); // the importance method is stated
            foreach (var fold in folds)
            {
                var k = fold.GetProperty("outer").GetInt32();
                var chosen = fold.GetProperty("chosen_trial").GetInt32();
                var trials = fold.GetProperty("trials").EnumerateArray().ToList();
                AssertTrials(Element(html, "svg", $"search-trials-o{k}"), trials, chosen);
                Assert.Contains("class=\"best-so-far\"", Element(html, "svg", $"search-trials-o{k}"));

                // The simulated study's space: learning_rate log-uniform, then optimizer categorical (the spec's order).
                var rate = Element(html, "svg", $"search-param-o{k}-0");
                Assert.Contains(">learning_rate (log scale)</text>", rate);
                AssertTrials(rate, trials, chosen);
                var optimizer = Element(html, "svg", $"search-param-o{k}-1");
                Assert.Contains(">optimizer</text>", optimizer);
                Assert.Contains(">adam</text>", optimizer);
                AssertTrials(optimizer, trials, chosen);

                var parallel = Element(html, "svg", $"search-parallel-o{k}");
                Assert.Equal(trials.Count(t => t.TryGetProperty("score", out var s) && s.ValueKind == JsonValueKind.Number), Regex.Matches(parallel, "<path class=\"trial[^\"]*\" data-trial=").Count);
                Assert.Contains($"<path class=\"trial chosen\" data-trial=\"{chosen}\"", parallel);

                var importance = Element(html, "svg", $"search-importance-o{k}");
                var rateImportance = Regex.Match(importance, "data-parameter=\"learning_rate\" data-value=\"([^\"]*)\"").Groups[1].Value;
                Assert.Equal(SpearmanSquared(trials), Number(rateImportance), 12);
                Assert.Contains("optimizer: correlation ratio η² = ", importance);
            }
        }
    }

    [Fact]
    public void A_study_with_a_deploy_section_and_failed_trials_shows_the_deploy_folds_search_and_each_failed_trial_apart()
    {
        using var dir = new TempDir();
        dir.Write("spec.yaml", SimulatedSpecs.Yaml("dep", 0, 8, sampler: "tpe", outer: 2, devices: 2)
            .Replace("simulated: { seconds_per_epoch: 0 }", "simulated: { seconds_per_epoch: 0, failure_rate: 0.35 }\n  max_retries: 1\n  max_failed_trials: 0.9")
            + "\ndeploy: { final: all-data }\n");
        var run = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "run");
        // Injected failures may also fail a refit: the study is then incomplete (exit 1), and its report still has every search.
        Assert.True(run.Code is 0 or 1 && File.Exists(dir.File("run/report.json")), $"{run.Output}\n{run.Error}");
        var export = NachosProcess.Run(dir.Path, "report", "run", "--format", "html", "--out", "report.html");
        Assert.True(export.Code == 0, export.Error);
        var html = File.ReadAllText(dir.File("report.html"));

        using var report = Report(dir.File("run"));
        var deploy = report.RootElement.GetProperty("deploy");
        Assert.Equal(2, deploy.GetProperty("outer").GetInt32());
        Assert.Contains("<a href=\"#search-o2\">deploy fold (all data, index 2)</a>", html);
        AssertTrials(Element(html, "svg", "search-trials-o2"), deploy.GetProperty("trials").EnumerateArray().ToList(), deploy.GetProperty("chosen_trial").GetInt32());

        var failed = 0;
        foreach (var fold in report.RootElement.GetProperty("folds").EnumerateArray().Append(deploy))
        {
            var plot = Element(html, "svg", $"search-trials-o{fold.GetProperty("outer").GetInt32()}");
            foreach (var trial in fold.GetProperty("trials").EnumerateArray().Where(t => t.TryGetProperty("failure", out var f) && f.ValueKind == JsonValueKind.String))
            {
                var n = trial.GetProperty("trial").GetInt32();
                var mark = Regex.Match(plot, $"<path class=\"trial failed\" data-trial=\"{n}\"[^>]*><title>([^<]*)</title>");
                Assert.True(mark.Success, $"trial {n} of fold {fold.GetProperty("outer")} is not drawn as failed");
                Assert.Contains($"no score: {trial.GetProperty("failure").GetString()}", WebUtility.HtmlDecode(mark.Groups[1].Value));
                failed++;
            }
        }
        Assert.True(failed > 0, "the injected failures failed no trial: the test checks nothing");
    }

    /// <summary>One element per trial with its own title: the trial number, its configuration and its score; the chosen one marked.</summary>
    private static void AssertTrials(string svg, IReadOnlyList<JsonElement> trials, int chosen)
    {
        var marks = Regex.Matches(svg, "<(circle|path) class=\"trial( chosen| failed)?\" data-trial=\"(\\d+)\"[^>]*><title>([^<]*)</title>")
            .ToDictionary(m => int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), m => (Class: m.Groups[2].Value.Trim(), Title: WebUtility.HtmlDecode(m.Groups[4].Value)));
        Assert.Equal(trials.Select(t => t.GetProperty("trial").GetInt32()).Order(), marks.Keys.Order());
        foreach (var t in trials)
        {
            var n = t.GetProperty("trial").GetInt32();
            var (cls, title) = marks[n];
            var config = new Hyperparameters(t.GetProperty("config").GetProperty("values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString()).ToImmutableSortedDictionary(StringComparer.Ordinal));
            Assert.StartsWith($"trial {n}{(n == chosen ? " (chosen)" : "")}: {config.Display()}; ", title);
            if (t.TryGetProperty("score", out var score) && score.ValueKind == JsonValueKind.Number)
                Assert.EndsWith($"AUROC {score.GetDouble().ToString("G4", CultureInfo.InvariantCulture)}", title);
            Assert.Equal(n == chosen ? "chosen" : t.TryGetProperty("failure", out var f) && f.ValueKind == JsonValueKind.String ? "failed" : "", cls);
        }
        Assert.Contains("class=\"chosen-mark\"", svg);
    }

    /// <summary>Spearman's ρ² of learning rate and score, as ranks computed here from report.json (no ties in a continuous draw).</summary>
    private static double SpearmanSquared(IReadOnlyList<JsonElement> trials)
    {
        var scored = trials.Where(t => t.TryGetProperty("score", out var s) && s.ValueKind == JsonValueKind.Number)
            .Select(t => (X: Number(t.GetProperty("config").GetProperty("values").GetProperty("learning_rate").ToString()), Y: t.GetProperty("score").GetDouble())).ToList();
        double[] Rank(IEnumerable<double> v) { var list = v.ToList(); return list.Select(x => list.Count(y => y < x) + (list.Count(y => y == x) + 1) / 2.0).ToArray(); }
        var (rx, ry) = (Rank(scored.Select(s => s.X)), Rank(scored.Select(s => s.Y)));
        var (mx, my) = (rx.Average(), ry.Average());
        var r = rx.Zip(ry).Sum(p => (p.Item1 - mx) * (p.Item2 - my)) / Math.Sqrt(rx.Sum(x => (x - mx) * (x - mx)) * ry.Sum(y => (y - my) * (y - my)));
        return r * r;
    }
}
