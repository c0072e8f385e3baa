using System.Globalization;
using System.Text;
using Nachos.Shared.Spec;
using static Nachos.Host.Dashboard.Html;
using Nachos.Shared.Tasks;

namespace Nachos.Host.Dashboard;

/// <summary>The study page: state, outer-fold test metrics, chosen configurations, validation curves and the leaderboard.</summary>
public static class StudySection
{
    public static string Render(StudyRun run, IPageLinks links)
    {
        var r = run.Report;
        var spec = run.Spec;
        var html = new StringBuilder();
        var failed = r.Folds.Where(f => f.Failure is not null).ToList();
        html.Append($"<h1>Study <code>{E(r.StudyId)}</code> ")
            .Append(r.Complete ? "<span class=\"badge complete\" id=\"state\">complete</span>" : "<span class=\"badge incomplete\" id=\"state\">incomplete</span>")
            .Append("</h1>\n");
        var inner = r.Folds.SelectMany(f => f.Trials).Select(t => t.SplitScores.Count).DefaultIfEmpty(spec.Split.InnerFolds).Max();
        html.Append($"<p class=\"muted\">{E(Describe(spec.Task))} · {r.Folds.Count} outer folds × {inner} inner splits × {spec.Search.Trials} trials " +
                    $"({E(spec.Search.Sampler.ToString().ToLowerInvariant())} sampler, chosen by inner validation {E(spec.Search.Metric)}) · run directory <code>{E(run.Directory)}</code></p>\n");
        if (failed.Count > 0)
        {
            html.Append("<ul class=\"failure\">");
            foreach (var f in failed) html.Append($"<li>outer fold {f.Outer} failed: {E(f.Failure)}</li>");
            html.Append("</ul><p>The estimate below uses the folds that finished only.</p>\n");
        }
        if (r.Problems is { Count: > 0 } problems)
        {
            html.Append("<ul class=\"failure\" id=\"problems\">");
            foreach (var p in problems) html.Append($"<li>{E(p)}</li>");
            html.Append("</ul><p>The report could not use these files, so it has no bootstrap interval.</p>\n");
        }

        TestMetrics(html, run);
        Folds(html, run, links);
        Chosen(html, run);
        ValidationCurves(html, run);
        LeaderboardTable(html, run, links);
        return html.ToString();
    }

    private static string Describe(TaskKind task) => task switch
    {
        TaskKind.Binary => "binary classification",
        TaskKind.Multiclass => "multi-class classification",
        TaskKind.Segmentation => "segmentation",
        _ => "multi-label classification",
    };

    private static void TestMetrics(StringBuilder html, StudyRun run)
    {
        html.Append("<h2 id=\"test-metrics\">Outer-fold test metrics</h2>\n")
            .Append("<p>Each outer fold's refit, evaluated once on its test fold. Box: quartiles of the folds, whiskers from lowest to highest; ")
            .Append("points: the folds; diamond: their mean, with its 95% confidence interval (t distribution).</p>\n<div class=\"plots\">")
            // No fold with a test value (every refit failed): nothing to plot (the plot library throws on an empty box plot).
            .Append(run.Report.Metrics.Any(m => m.PerFold.Any(v => v is not null))
                ? Plots.FoldMetrics("fold-metrics-plot", run.Report.Metrics)
                : "<p class=\"muted\" id=\"fold-metrics-plot\">No outer fold has test metrics.</p>")
            .Append("</div>\n<table id=\"summary\"><thead><tr><th>metric</th><th>mean</th><th>SD</th><th>SE</th><th>95% CI (t)</th><th>95% CI (patient bootstrap)</th></tr></thead><tbody>\n");
        foreach (var m in run.Report.Metrics)
        {
            var s = m.Summary;
            html.Append($"<tr data-metric=\"{E(m.Metric)}\"><th>{E(m.Metric)}</th>{NumberCell(s?.Mean)}{NumberCell(s?.StandardDeviation)}{NumberCell(s?.StandardError)}")
                .Append($"<td class=\"num\">{Interval(s?.CiLow, s?.CiHigh)}</td><td class=\"num\">{Interval(m.BootstrapLow, m.BootstrapHigh)}</td></tr>\n");
        }
        html.Append("</tbody></table>\n");
    }

    private static string Interval(double? low, double? high) => low is null || high is null ? "n/a" : $"{F(low)} – {F(high)}";

    private static void Folds(StringBuilder html, StudyRun run, IPageLinks links)
    {
        var metrics = SpecNames.Metrics;
        html.Append("<h2 id=\"outer-folds\">Outer folds</h2>\n<div class=\"scroll\"><table id=\"folds\"><thead><tr><th>fold</th><th>chosen trial</th><th>configuration</th>")
            .Append($"<th>inner {E(run.Spec.Search.Metric)} ± SE</th><th>refit epochs</th>");
        foreach (var m in metrics) html.Append($"<th>test {E(m)}</th>");
        html.Append("<th>model</th><th>failure</th></tr></thead><tbody>\n");
        foreach (var f in run.Report.Folds)
        {
            var refit = TaskAddress.Refit(run.StudyId, f.Outer);
            html.Append($"<tr data-fold=\"{f.Outer}\"><td class=\"num\">{f.Outer}</td><td class=\"num\">{f.ChosenTrial?.ToString(CultureInfo.InvariantCulture) ?? "–"}</td>")
                .Append($"<td>{E(f.Config?.Display() ?? "")}</td>")
                .Append(f.InnerScore is null ? "<td>–</td>" : $"<td class=\"num\">{F(f.InnerScore)} ± {F(f.InnerStandardError)}</td>")
                .Append($"<td class=\"num\">{f.RefitEpochs}</td>");
            foreach (var m in metrics) html.Append(NumberCell(f.TestMetrics.GetValueOrDefault(m), m));
            html.Append(run.Models.Contains(refit) ? $"<td><a href=\"{E(links.Model(refit))}\">refit</a></td>" : "<td></td>")
                .Append($"<td class=\"failure\">{E(f.Failure)}</td></tr>\n");
        }
        html.Append("</tbody></table></div>\n");
    }

    private static void Chosen(StringBuilder html, StudyRun run)
    {
        var folds = run.Report.Folds;
        var parameters = folds.Where(f => f.Config is not null).SelectMany(f => f.Config!.Values.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        html.Append("<h2 id=\"chosen-configurations\">Chosen hyperparameters</h2>\n");
        if (parameters.Count == 0)
        {
            html.Append("<p>No outer fold chose a configuration.</p>\n");
            return;
        }
        html.Append("<table id=\"chosen\"><thead><tr><th>fold</th>");
        foreach (var p in parameters) html.Append($"<th>{E(p)}</th>");
        html.Append("</tr></thead><tbody>\n");
        foreach (var f in folds)
        {
            html.Append($"<tr><td class=\"num\">{f.Outer}</td>");
            foreach (var p in parameters) html.Append($"<td>{E(f.Config?.Values.GetValueOrDefault(p) is { } v ? Short(v) : "–")}</td>");
            html.Append("</tr>\n");
        }
        html.Append("</tbody></table>\n<p>Stability across the folds that chose a configuration:</p>\n<ul id=\"stability\">\n");
        var chosenFolds = folds.Count(f => f.Config is not null);
        foreach (var s in run.Report.Stability)
        {
            var counts = string.Join(", ", s.Chosen.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{Short(kv.Key)} ×{kv.Value}"));
            var numbers = s.Chosen.Keys.Select(k => double.TryParse(k, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : (double?)null).ToList();
            var range = numbers.Count > 1 && numbers.All(n => n is not null)
                ? $"; range {Short(numbers.Min()!.Value)} – {Short(numbers.Max()!.Value)}" + (numbers.Min() > 0 ? $" (×{numbers.Max()!.Value / numbers.Min()!.Value:0.##} between them)" : "")
                : "";
            var mode = s.Chosen.Values.Max();
            html.Append($"<li><strong>{E(s.Parameter)}</strong>: {E(counts)}{E(range)} — the most frequent value in {mode} of {chosenFolds} folds</li>\n");
        }
        html.Append("</ul>\n");
    }

    /// <summary>Numbers to four significant digits, for people.</summary>
    private static string Short(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? Short(v) : value;

    private static string Short(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    private static void ValidationCurves(StringBuilder html, StudyRun run)
    {
        var column = run.HistoryMetricColumn;
        var plots = new StringBuilder();
        foreach (var fold in run.Report.Folds)
        {
            var series = run.Models.Where(m => m.Outer == fold.Outer && !m.IsRefit)
                .Select(m => (Key: m, History: run.Model(m).History))
                .Where(t => t.History is not null && t.History.Has(column))
                .Select(t =>
                {
                    var chosen = t.Key.Trial == fold.ChosenTrial;
                    return new Series(chosen ? $"trial {t.Key.Trial}, split {t.Key.Split} (chosen)" : "other trials",
                        t.History!.Epochs.Select(e => (double)e).ToList(), t.History.Column(column), chosen);
                }).ToList();
            if (series.Count > 0)
                plots.Append(Plots.Curves($"validation-curves-o{fold.Outer}", $"outer fold {fold.Outer}", $"validation {run.Spec.Search.Metric}", series));
        }
        if (plots.Length == 0) return;
        html.Append("<h2 id=\"validation-curves\">Validation curves</h2>\n")
            .Append($"<p>Inner validation {E(run.Spec.Search.Metric)} per epoch of every trial's inner splits; the chosen trial in colour.</p>\n<div class=\"plots\">")
            .Append(plots).Append("</div>\n");
    }

    private static void LeaderboardTable(StringBuilder html, StudyRun run, IPageLinks links)
    {
        var metrics = SpecNames.Metrics;
        html.Append("<h2 id=\"leaderboard-title\">Leaderboard</h2>\n")
            .Append("<p>Every trial of every outer fold and every refit. A trial's metrics are the mean over its inner splits on their validation sets; ")
            .Append($"its score is the mean inner validation {E(run.Spec.Search.Metric)} the search chose by (★: chosen), its epochs the mean best inner epoch. ")
            .Append("A refit's metrics are on its outer test fold, its epochs those it trained for. ")
            .Append("Click a column header to sort.</p>\n")
            .Append("<div class=\"scroll\"><table class=\"sortable\" id=\"leaderboard\"><thead><tr>")
            .Append("<th data-type=\"number\">fold</th><th>model</th><th>evaluated on</th><th>configuration</th>")
            .Append($"<th data-type=\"number\" data-column=\"score\">score ({E(run.Spec.Search.Metric)})</th><th data-type=\"number\">± SE</th><th data-type=\"number\">epochs</th>");
        foreach (var m in metrics) html.Append($"<th data-type=\"number\" data-column=\"{E(m)}\">{E(m)}</th>");
        html.Append("<th>failure</th></tr></thead><tbody>\n");
        foreach (var row in Leaderboard.Build(run))
        {
            var id = row.IsRefit ? TaskAddress.Refit(run.StudyId, row.Outer).Folder : TaskAddress.TrialFolder(row.Outer, row.Trial!.Value);
            var cls = row.IsRefit ? "refit" : row.Chosen ? "chosen" : "";
            html.Append($"<tr data-model=\"{id}\"{(cls.Length > 0 ? $" class=\"{cls}\"" : "")}><td class=\"num\">{row.Outer}</td><td class=\"model\" data-value=\"{(row.IsRefit ? "refit" : $"trial {row.Trial}")}\">");
            if (row.IsRefit)
                html.Append(row.Models.Count > 0 ? $"<a href=\"{E(links.Model(row.Models[0]))}\">refit</a>" : "refit");
            else
            {
                html.Append($"trial {row.Trial}{(row.Chosen ? " ★" : "")}");
                if (row.Models.Count > 0)
                    html.Append(" <span class=\"small\">").AppendJoin(" ", row.Models.Select(m => $"<a href=\"{E(links.Model(m))}\">s{m.Split}</a>")).Append("</span>");
            }
            html.Append($"</td><td>{E(row.Set)}</td><td>{E(row.Config)}</td>{NumberCell(row.Score, "score")}{NumberCell(row.ScoreStandardError)}")
                .Append($"<td class=\"num\" data-value=\"{V(row.Epochs)}\">{(row.Epochs is { } e ? e.ToString("0.#", CultureInfo.InvariantCulture) : "–")}</td>");
            foreach (var m in metrics) html.Append(NumberCell(row.Metrics.GetValueOrDefault(m), m));
            html.Append($"<td class=\"failure\">{E(row.Failure)}</td></tr>\n");
        }
        html.Append("</tbody></table></div>\n");
    }
}
