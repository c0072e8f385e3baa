using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Nachos.Host.Dashboard;
using Nachos.Shared.Tasks;
using Nachos.Tests;
using static Nachos.EndToEnd.Tests.StudyFiles;

namespace Nachos.EndToEnd.Tests;

/// <summary>The dashboard's HTML for studies finished by the real <c>nachos</c> process, checked against the run directory's own files.</summary>
[Collection(FinishedStudiesCollection.Name)]
public sealed class DashboardContentTests(FinishedStudies studies)
{
    private static string F3(double v) => v.ToString("F3", CultureInfo.InvariantCulture);

    [Fact]
    public void The_export_is_one_file_with_the_study_and_a_section_per_model_and_refers_to_nothing_outside_it()
    {
        var study = studies.Simulated;
        var html = File.ReadAllText(study.Html);

        var sections = Regex.Matches(html, "<section class=\"model\" id=\"model-([^\"]+)\">").Select(m => m.Groups[1].Value.Replace('-', '/')).Order(StringComparer.Ordinal);
        Assert.Equal(Models(study.RunDir), sections);
        Assert.Equal(3 * 6 * 2 + 3, Models(study.RunDir).Count);
        Assert.Contains("<section id=\"study\">", html);

        var ids = Attribute(html, "id").ToHashSet();
        var anchors = Attribute(html, "href").ToList();
        Assert.NotEmpty(anchors);
        // trials.csv is in the file itself, as a data link.
        Assert.All(anchors.Where(a => !a.StartsWith("data:text/csv", StringComparison.Ordinal)), a => Assert.True(a.StartsWith('#') && ids.Contains(a[1..]), $"link {a} leads nowhere in the file"));
        Assert.DoesNotContain(Attribute(html, "src"), s => !s.StartsWith("data:", StringComparison.Ordinal));
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("@import", html);
        var policy = Regex.Match(html, "http-equiv=\"Content-Security-Policy\" content=\"([^\"]*)\"");
        Assert.StartsWith("default-src 'none'", System.Net.WebUtility.HtmlDecode(policy.Groups[1].Value));
        Assert.Single(Regex.Matches(html, "<html"));
    }

    [Fact]
    public void The_served_export_is_rendered_once_per_study_and_is_what_nachos_report_writes()
    {
        var study = studies.Simulated;
        using var root = new TempDir();
        Directory.CreateDirectory(Path.Combine(root.Path, "studies"));
        var served = Path.Combine(root.Path, "studies", "sim");
        Directory.CreateSymbolicLink(served, study.RunDir);
        var campaign = new Nachos.Host.Application.CampaignStudies(root.Path);
        var first = campaign.Export("sim");
        Assert.Equal(File.ReadAllText(study.Html), first!.Replace(served, study.RunDir)); // it names its run directory

        Assert.Same(first, campaign.Export("sim"));
    }

    [Fact]
    public void The_study_page_shows_the_state_and_the_fold_table_and_summary_of_report_json()
    {
        var study = studies.Simulated;
        using var report = Report(study.RunDir);
        var html = new DashboardRenderer(StudyRun.Load(study.RunDir)).StudyPage(new ServedLinks("sim"));

        Assert.Contains("id=\"state\">complete<", html);
        Assert.Contains("<svg id=\"fold-metrics-plot\"", html);
        var table = Element(html, "table", "folds");
        foreach (var fold in report.RootElement.GetProperty("folds").EnumerateArray())
        {
            var k = fold.GetProperty("outer").GetInt32();
            var row = Regex.Match(table, $"<tr data-fold=\"{k}\">.*?</tr>", RegexOptions.Singleline).Value;
            Assert.Contains($"<td class=\"num\">{fold.GetProperty("chosen_trial").GetInt32()}</td>", row);
            foreach (var metric in fold.GetProperty("test_metrics").EnumerateObject())
            {
                var cell = Regex.Match(row, $"data-metric=\"{metric.Name}\" data-value=\"([^\"]*)\">([^<]*)<");
                Assert.Equal(metric.Value.GetDouble(), Number(cell.Groups[1].Value));
                Assert.Equal(F3(metric.Value.GetDouble()), cell.Groups[2].Value);
            }
            Assert.Contains($"href=\"/studies/sim/models/o{k}/refit\"", row);
        }

        var summary = Element(html, "table", "summary");
        foreach (var metric in report.RootElement.GetProperty("metrics").EnumerateArray())
        {
            var s = metric.GetProperty("summary");
            var row = Regex.Match(summary, $"<tr data-metric=\"{metric.GetProperty("metric").GetString()}\">.*?</tr>", RegexOptions.Singleline).Value;
            Assert.Contains($"data-value=\"{s.GetProperty("mean").GetDouble().ToString("R", CultureInfo.InvariantCulture)}\"", row);
            Assert.Contains($"{F3(s.GetProperty("ci_low").GetDouble())} – {F3(s.GetProperty("ci_high").GetDouble())}", row);
            Assert.Contains($"{F3(metric.GetProperty("bootstrap_low").GetDouble())} – {F3(metric.GetProperty("bootstrap_high").GetDouble())}", row);
        }

        var stability = Element(html, "ul", "stability");
        foreach (var s in report.RootElement.GetProperty("stability").EnumerateArray())
            Assert.Contains($"<strong>{s.GetProperty("parameter").GetString()}</strong>", stability);
    }

    [Fact]
    public void The_leaderboard_has_every_trial_of_every_fold_and_every_refit_with_their_scores()
    {
        var study = studies.Simulated;
        using var report = Report(study.RunDir);
        var html = new DashboardRenderer(StudyRun.Load(study.RunDir)).StudyPage(new AnchorLinks());
        var table = Element(html, "table", "leaderboard");
        var rows = Regex.Matches(table, "<tr data-model=\"([^\"]+)\" data-fold=\"\\d+\"( class=\"([a-z]+)\")?>(.*?)</tr>", RegexOptions.Singleline)
            .ToDictionary(m => m.Groups[1].Value, m => (Class: m.Groups[3].Value, Cells: m.Groups[4].Value));

        var folds = report.RootElement.GetProperty("folds").EnumerateArray().ToList();
        Assert.Equal(folds.Sum(f => f.GetProperty("trials").GetArrayLength()) + folds.Count, rows.Count);
        foreach (var fold in folds)
        {
            var k = fold.GetProperty("outer").GetInt32();
            foreach (var trial in fold.GetProperty("trials").EnumerateArray())
            {
                var n = trial.GetProperty("trial").GetInt32();
                var row = rows[$"o{k}/t{n}"];
                Assert.Equal(trial.GetProperty("score").GetDouble(), Number(Regex.Match(row.Cells, "data-metric=\"score\" data-value=\"([^\"]*)\"").Groups[1].Value));
                Assert.Equal(n == fold.GetProperty("chosen_trial").GetInt32() ? "chosen" : "", row.Class);
                Assert.Contains($"href=\"#model-o{k}-t{n}-s1\"", row.Cells);
            }
            var refit = rows[$"o{k}/refit"];
            Assert.Equal("refit", refit.Class);
            Assert.Equal(fold.GetProperty("test_metrics").GetProperty("auroc").GetDouble(),
                Number(Regex.Match(refit.Cells, "data-metric=\"test_auroc\" data-value=\"([^\"]*)\"").Groups[1].Value));
            Assert.Matches("data-metric=\"auroc\"( data-value(=\"\")?)?>n/a<", refit.Cells); // a refit has no inner validation value
        }
    }

    [Fact]
    public void The_leaderboard_keeps_inner_validation_and_outer_test_apart_and_has_a_fold_filter_a_column_per_hyperparameter_and_trials_csv()
    {
        var study = studies.Simulated;
        var report = Nachos.Shared.Study.StudyReport.Read(Path.Combine(study.RunDir, "report.json"));
        var html = new DashboardRenderer(StudyRun.Load(study.RunDir)).StudyPage(new ServedLinks("sim"));
        var table = Element(html, "table", "leaderboard");
        var header = Regex.Match(table, "<thead>.*?</thead>", RegexOptions.Singleline).Value;

        Assert.Contains("<th data-type=\"number\" data-column=\"auroc\">inner validation auroc</th>", header);
        Assert.Contains("<th data-type=\"number\" data-column=\"test_auroc\">outer test auroc</th>", header);
        Assert.Contains("<th data-type=\"number\" data-column=\"hp-learning_rate\">learning_rate</th>", header);
        Assert.Contains("data-column=\"rank\"", header);
        foreach (var row in Regex.Matches(table, "<tr data-model=\"([^\"]+)\" data-fold=\"(\\d+)\"[^>]*>(.*?)</tr>", RegexOptions.Singleline).Cast<Match>())
        {
            var cells = row.Groups[3].Value;
            var inner = Regex.Match(cells, "data-metric=\"auroc\"(?: data-value(?:=\"([^\"]*)\")?)?>");
            var test = Regex.Match(cells, "data-metric=\"test_auroc\"(?: data-value(?:=\"([^\"]*)\")?)?>");
            Assert.True(inner.Success && test.Success, row.Value);
            // Exactly one of the two: a trial's inner validation value or a refit's outer test value, never both in a row or a column.
            var (innerValue, testValue) = (inner.Groups[1].Value, test.Groups[1].Value);
            Assert.True(row.Groups[1].Value.EndsWith("refit", StringComparison.Ordinal) ? innerValue == "" && testValue != "" : innerValue != "" && testValue == "", row.Value);
        }
        foreach (var fold in report.Folds)
            foreach (var trial in fold.Trials)
            {
                var cells = Regex.Match(table, $"<tr data-model=\"o{fold.Outer}/t{trial.Trial}\"[^>]*><td class=\"num\">\\d+</td><td class=\"model\".*?</td>(.*?)</tr>", RegexOptions.Singleline).Groups[1].Value;
                var rank = Regex.Match(cells, "^<td class=\"num\" data-value=\"(\\d*)\"").Groups[1].Value;
                if (trial.Trial == fold.ChosenTrial) Assert.Equal("1", rank);
                var lr = double.Parse(trial.Config.Values["learning_rate"], CultureInfo.InvariantCulture);
                Assert.Contains($"<td class=\"num\" data-value=\"{lr.ToString("R", CultureInfo.InvariantCulture)}\">", cells); // a numeric cell per hyperparameter
            }

        var filter = Regex.Match(html, "<p class=\"filter\" data-table=\"leaderboard\" id=\"fold-filter\">.*?</p>", RegexOptions.Singleline).Value;
        Assert.Equal(["all", .. report.Folds.Select(f => f.Outer.ToString(CultureInfo.InvariantCulture))], Regex.Matches(filter, "data-fold=\"([^\"]+)\"").Select(m => m.Groups[1].Value));
        Assert.Contains("href=\"/studies/sim/trials.csv\" download=\"trials.csv\"", filter);

        // The exported page carries trials.csv itself: the same rows as the served one.
        var export = File.ReadAllText(study.Html);
        var data = Regex.Match(export, "id=\"trials-csv\" href=\"data:text/csv;charset=utf-8,([^\"]*)\"").Groups[1].Value;
        Assert.Equal(StudyRun.Load(study.RunDir).TrialTable!.Csv(), Uri.UnescapeDataString(System.Net.WebUtility.HtmlDecode(data)));
    }

    [Theory]
    [InlineData("o1/refit", "test")]
    [InlineData("o0/t2/s1", "validation")]
    public void A_model_page_shows_its_metrics_roc_curve_confusion_matrix_and_worst_cases_first(string task, string set)
    {
        var study = studies.Simulated;
        var key = TaskAddress.Parse($"sim/{task}");
        var html = new DashboardRenderer(StudyRun.Load(study.RunDir)).ModelPage(key, new ServedLinks("sim"));
        var rows = Predictions(study.RunDir, task).Where(r => r.Set == set).ToList();
        Assert.NotEmpty(rows);

        Assert.Contains($"<svg id=\"roc-{key.Anchor}\"", html);
        var confusion = Element(html, "table", $"confusion-{key.Anchor}-{set}");
        var cells = Regex.Matches(confusion, "<td[^>]*>(\\d+)</td>").Select(m => int.Parse(m.Groups[1].Value)).ToArray();
        Assert.Equal(Confusion(rows).SelectMany(r => r), cells);
        if (key.IsRefit)
        {
            using var report = Report(study.RunDir);
            var auroc = report.RootElement.GetProperty("folds")[1].GetProperty("test_metrics").GetProperty("auroc").GetDouble();
            var metrics = Element(html, "table", $"metrics-{key.Anchor}");
            Assert.Equal(auroc, Number(Regex.Match(metrics, "data-metric=\"auroc\" data-value=\"([^\"]*)\"").Groups[1].Value), 12);
        }

        var gallery = Element(html, "div", $"gallery-{key.Anchor}");
        var shown = Regex.Matches(gallery, "<figure[^>]*data-sample=\"([^\"]+)\" data-error=\"([^\"]+)\">").Select(m => (Id: m.Groups[1].Value, Error: Number(m.Groups[2].Value))).ToList();
        var expected = rows.OrderByDescending(Error).ThenBy(r => r.SampleId, StringComparer.Ordinal).Take(ModelSection.GalleryCases).ToList();
        Assert.Equal(expected.Select(r => r.SampleId), shown.Select(s => s.Id));
        Assert.Equal(expected.Select(Error), shown.Select(s => s.Error), (a, b) => Math.Abs(a - b) < 1e-12);

        // Each case's image inline, as the 16×16 PNG the synthetic dataset holds.
        var images = Regex.Matches(gallery, "<img src=\"data:image/png;base64,([^\"]+)\"").Select(m => Convert.FromBase64String(System.Net.WebUtility.HtmlDecode(m.Groups[1].Value))).ToList();
        Assert.Equal(shown.Count, images.Count);
        Assert.All(images, png =>
        {
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png.Take(4));
            Assert.Equal(16, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
        });
    }

    [Fact]
    public void Real_training_shows_validation_curves_on_the_study_page_and_training_curves_on_model_pages()
    {
        var study = studies.Torch;
        var run = StudyRun.Load(study.RunDir);
        var renderer = new DashboardRenderer(run);
        var page = renderer.StudyPage(new ServedLinks("tiny"));
        Assert.Contains("<svg id=\"validation-curves-o0\"", page);
        Assert.Contains("<svg id=\"validation-curves-o1\"", page);

        var key = TaskAddress.InnerSplit(run.StudyId, 0, 0, 1);
        var model = renderer.ModelPage(key, new ServedLinks("tiny"));
        Assert.Contains($"<svg id=\"loss-{key.Anchor}\"", model);
        Assert.Contains($"<svg id=\"metrics-{key.Anchor}\"", model);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(study.RunDir, "o0/t0/s1/metrics.json")));
        Assert.Contains($"<tr><th>best epoch</th><td class=\"num\">{metrics.RootElement.GetProperty("best_epoch").GetInt32()}</td></tr>", model);
        var epochs = File.ReadAllLines(Path.Combine(study.RunDir, "o0/t0/s1/history.csv")).Length - 1;
        Assert.Contains($"<tr><th>epochs run</th><td class=\"num\">{epochs}</td></tr>", model);
    }

    [Theory]
    [InlineData("multiclass")]
    [InlineData("multilabel")]
    public void Multi_class_and_multi_label_models_get_an_roc_curve_and_a_confusion_matrix_per_class(string task)
    {
        using var dir = new TempDir();
        var synth = NachosProcess.Run(dir.Path, "dataset", "synth", "--out", "data", "--patients", "24", "--size", "16");
        Assert.True(synth.Code == 0, synth.Error);
        // The synthetic images relabelled from the patient number (image,label,mask,patient,site).
        var images = File.ReadAllLines(dir.File("data/manifest.csv")).Skip(1).Select(l => l.Split(',')).Select(f => (Image: f[0], Patient: f[3], N: int.Parse(f[3][1..]))).ToList();
        string[] classes = task == "multiclass" ? ["a", "b", "c"] : ["a", "b"];
        dir.Write("data/tasks.csv", task == "multiclass"
            ? "image,patient,label\n" + string.Concat(images.Select(i => $"{i.Image},{i.Patient},{classes[i.N % 3]}\n"))
            : "image,patient,a,b\n" + string.Concat(images.Select(i => $"{i.Image},{i.Patient},{i.N % 2},{i.N / 2 % 2}\n")));
        dir.Write("spec.yaml", $$"""
            name: kinds
            seed: 2
            task: {{task}}
            dataset: { manifest: data/tasks.csv, group_column: patient, {{(task == "multiclass" ? "classes: [a, b, c]" : "label_columns: [a, b]")}} }
            image: { size: 16 }
            split: { scheme: kfold, outer_folds: 2, inner_folds: 2 }
            training: { max_epochs: 3 }
            search: { sampler: random, trials: 2, parallelism: 2, space: { learning_rate: { type: log-uniform, low: 0.001, high: 0.01 } } }
            execution: { trainer: simulated, devices: 2, simulated: { seconds_per_epoch: 0 } }
            """);
        var run = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "run");
        Assert.True(run.Code == 0, $"{run.Output}\n{run.Error}");
        var export = NachosProcess.Run(dir.Path, "report", "run", "--format", "html", "--out", "report.html");
        Assert.True(export.Code == 0, export.Error);
        Assert.Contains("<section class=\"model\" id=\"model-o1-refit\">", File.ReadAllText(dir.File("report.html")));

        var key = TaskAddress.Refit("kinds", 0);
        var html = new DashboardRenderer(StudyRun.Load(dir.File("run"))).ModelPage(key, new ServedLinks("kinds"));
        var roc = Element(html, "svg", $"roc-{key.Anchor}");
        foreach (var c in classes) Assert.Matches($@"\s{c} \(AUC [01]\.\d{{3}}\)", roc);

        // predictions.csv: sample_id,set,true (multi-label: true_<label> 0/1 each),p_<class>...,predicted.
        var lines = File.ReadAllLines(dir.File("run/o0/refit/predictions.csv"));
        var truthColumns = task == "multiclass" ? 1 : classes.Length;
        var truthHeader = task == "multiclass" ? "true" : string.Join(",", classes.Select(c => "true_" + c));
        Assert.Equal($"sample_id,set,{truthHeader},{string.Join(",", classes.Select(c => "p_" + c))},predicted", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).Where(f => f[1] == "test")
            .Select(f => (Truth: string.Join(";", f.Skip(2).Take(truthColumns)), P: f.Skip(2 + truthColumns).Take(classes.Length).Select(Number).ToArray())).ToList();
        if (task == "multiclass")
        {
            var expected = new int[3, 3];
            foreach (var r in rows) expected[Array.IndexOf(classes, r.Truth), Array.IndexOf(r.P, r.P.Max())]++;
            Assert.Equal(expected.Cast<int>(), Cells(Element(html, "table", $"confusion-{key.Anchor}-test")));
        }
        else
        {
            for (var c = 0; c < classes.Length; c++)
            {
                var expected = new int[2, 2];
                foreach (var r in rows) expected[r.Truth.Split(';')[c] == "1" ? 1 : 0, r.P[c] >= 0.5 ? 1 : 0]++;
                Assert.Equal(expected.Cast<int>(), Cells(Element(html, "table", $"confusion-{key.Anchor}-test-{c}")));
            }
        }
        Assert.Equal(Math.Min(rows.Count, ModelSection.GalleryCases), Regex.Matches(Element(html, "div", $"gallery-{key.Anchor}"), "<img src=\"data:image/png").Count);
    }

    private static IEnumerable<int> Cells(string table) => Regex.Matches(table, "<td[^>]*>(\\d+)</td>").Select(m => int.Parse(m.Groups[1].Value));
}
