using System.Globalization;
using System.Text;
using Nachos.Shared.Metrics;
using Nachos.Shared.Spec;
using Nachos.Shared.Tasks;
using static Nachos.Host.Dashboard.Html;

namespace Nachos.Host.Dashboard;

/// <summary>The page of one trained model: training curves, metrics, ROC curve, confusion matrix and the cases it got most wrong.</summary>
public static class ModelSection
{
    /// <summary>Cases shown in the gallery, worst first.</summary>
    public const int GalleryCases = 24;

    public static string Render(StudyRun run, TaskAddress key, IPageLinks links, ICaseImageTags images)
    {
        var model = run.Model(key);
        var html = new StringBuilder();
        html.Append($"<h1>{E(key.Title)}</h1>\n<p><a href=\"{E(links.Study)}\">← study {E(run.StudyId)}</a></p>\n");
        Facts(html, run, model);
        Curves(html, model);
        Metrics(html, model);
        Roc(html, model);
        Confusion(html, model);
        Gallery(html, model, images);
        return html.ToString();
    }

    private static void Facts(StringBuilder html, StudyRun run, ModelEvaluation model)
    {
        var key = model.Key;
        var fold = run.Fold(key.Outer);
        var trial = key.IsRefit ? null : run.Trial(key.Outer, key.Trial!.Value);
        var refitEpochs = fold?.RefitEpochs ?? model.History?.Epochs.Count;
        string role = key.IsRefit
            ? $"refit of outer fold {key.Outer}: trained on the whole outer-train set with the chosen configuration{(refitEpochs is { } n ? $" for {n} epoch{(n == 1 ? "" : "s")}" : "")}, then evaluated once on the outer test fold"
            : $"trial {key.Trial} on inner split {key.Split} of outer fold {key.Outer}: trained on the split's training set, early-stopped on its validation set"
              + (trial is not null && trial.Trial == fold?.ChosenTrial ? " (the trial this fold chose)" : "");
        if (!run.HasReport)
            html.Append("<p class=\"muted\" id=\"live-model\">The study has no report yet (it is running, paused or cancelled): this model's task has finished; the fold's choice and test metrics come with the report.</p>\n");
        html.Append("<table class=\"facts\"><tbody>\n")
            .Append($"<tr><th>role</th><td>{E(role)}</td></tr>\n")
            .Append($"<tr><th>configuration</th><td>{E(run.Config(key)?.Display() ?? "unknown")}</td></tr>\n");
        if (trial is not null && key.Split is { } j && j < trial.SplitScores.Count)
            html.Append($"<tr><th>validation {E(run.Spec.Search.Metric)} (as the search saw it)</th><td class=\"num\">{F(trial.SplitScores[j])}</td></tr>\n");
        if (model.History is { } h) html.Append($"<tr><th>epochs run</th><td class=\"num\">{h.Epochs.Count}</td></tr>\n");
        if (model.BestEpoch is { } best) html.Append($"<tr><th>best epoch</th><td class=\"num\">{best}</td></tr>\n");
        foreach (var s in model.Sets) html.Append($"<tr><th>{E(s.Set)} cases</th><td class=\"num\">{s.Cases.Count}</td></tr>\n");
        html.Append("</tbody></table>\n");
    }

    private static void Curves(StringBuilder html, ModelEvaluation model)
    {
        if (model.History is not { } h || h.Epochs.Count == 0) return;
        var x = h.Epochs.Select(e => (double)e).ToList();
        var id = model.Key.Anchor;
        var losses = new[] { ("train_loss", "training loss"), ("val_loss", "validation loss") }
            .Where(c => h.Has(c.Item1)).Select(c => new Series(c.Item2, x, h.Column(c.Item1))).ToList();
        var metrics = SpecNames.Metrics.Where(m => h.Has($"val_{m}")).Select(m => new Series(m.Replace('_', ' '), x, h.Column($"val_{m}"))).ToList();
        var best = model.BestEpoch is { } b && !model.Key.IsRefit ? (double?)b : null;
        html.Append("<h2>Training curves</h2>\n<div class=\"plots\">");
        if (losses.Count > 0) html.Append(Plots.Curves($"loss-{id}", "loss", "loss", losses, best, "best epoch"));
        if (metrics.Count > 0) html.Append(Plots.Curves($"metrics-{id}", "validation metrics", "value", metrics, best, "best epoch"));
        html.Append("</div>\n");
    }

    private static void Metrics(StringBuilder html, ModelEvaluation model)
    {
        html.Append("<h2>Metrics</h2>\n");
        if (model.Sets.Count == 0)
        {
            html.Append("<p>No predictions: the task did not finish.</p>\n");
            return;
        }
        html.Append($"<table id=\"metrics-{model.Key.Anchor}\"><thead><tr><th>set</th><th>cases</th>");
        foreach (var m in SpecNames.Metrics) html.Append($"<th>{E(m)}</th>");
        html.Append("</tr></thead><tbody>\n");
        foreach (var s in model.Sets)
        {
            html.Append($"<tr data-set=\"{E(s.Set)}\"><th>{E(s.Set)}</th><td class=\"num\">{s.Cases.Count}</td>");
            foreach (var m in SpecNames.Metrics) html.Append(NumberCell(s.Metrics.Get(m), m));
            html.Append("</tr>\n");
        }
        html.Append($"</tbody></table>\n<p class=\"small muted\">Threshold: {DecisionRule.Describe(model.Task)}.</p>\n");
    }

    private static void Roc(StringBuilder html, ModelEvaluation model)
    {
        var curves = model.Sets.SelectMany(s => s.Roc.Select(c => (Label: model.Sets.Count > 1 ? $"{s.Set}: {c.Label}" : c.Label, Curve: c)))
            .Where(c => c.Curve.Area is not null).ToList();
        if (curves.Count == 0) return;
        html.Append("<h2>ROC curve</h2>\n<div class=\"plots\">").Append(Plots.Roc($"roc-{model.Key.Anchor}", curves)).Append("</div>\n");
    }

    private static void Confusion(StringBuilder html, ModelEvaluation model)
    {
        if (model.Sets.Count == 0) return;
        html.Append("<h2>Confusion matrix</h2>\n<div class=\"plots\">");
        foreach (var s in model.Sets)
        {
            var multilabel = model.Task == TaskKind.Multilabel;
            for (var i = 0; i < s.Metrics.Confusion.Count; i++)
            {
                var matrix = s.Metrics.Confusion[i];
                var names = multilabel ? ["absent", "present"] : model.Classes;
                var caption = multilabel ? $"{s.Set}: {model.Classes[i]}" : s.Set;
                var id = $"confusion-{model.Key.Anchor}-{s.Set}" + (multilabel ? $"-{i}" : "");
                html.Append($"<table class=\"confusion\" id=\"{E(id)}\"><caption>{E(caption)} (rows: truth, columns: prediction)</caption><thead><tr><th></th>");
                foreach (var n in names) html.Append($"<th>{E(n)}</th>");
                html.Append("</tr></thead><tbody>");
                for (var t = 0; t < matrix.Length; t++)
                {
                    html.Append($"<tr><th>{E(names[t])}</th>");
                    for (var p = 0; p < matrix[t].Length; p++)
                        html.Append($"<td{(t == p ? " class=\"diagonal\"" : "")}>{matrix[t][p]}</td>");
                    html.Append("</tr>");
                }
                html.Append("</tbody></table>\n");
            }
        }
        html.Append("</div>\n");
    }

    private static void Gallery(StringBuilder html, ModelEvaluation model, ICaseImageTags images)
    {
        if (model.Primary is not { } set) return;
        var ranked = ModelEvaluation.WorstFirst(model.Task, set.Cases);
        var shown = ranked.Take(GalleryCases).ToList();
        html.Append($"<h2>Cases, worst first</h2>\n<p>The {set.Set} cases ordered by the error on their truth " +
                    (model.Task == TaskKind.Multilabel ? "(largest |truth − p| over the labels)" : "(1 − p of the true class)") +
                    $"; {shown.Count} of {ranked.Count} shown; red frame: wrong prediction.</p>\n<div class=\"gallery\" id=\"gallery-{model.Key.Anchor}\">\n");
        foreach (var c in shown)
        {
            var truth = Names(model, c.Case.Labels);
            var predicted = Names(model, c.Predicted);
            var probability = model.Task == TaskKind.Multilabel
                ? string.Join(", ", model.Classes.Select((n, i) => $"p({n}) = {F(c.Case.Probabilities[i])}"))
                : $"p({model.Classes[c.Case.Labels[0]]}) = {F(c.Case.Probabilities[c.Case.Labels[0]])}";
            html.Append($"<figure class=\"case{(c.Correct ? "" : " wrong")}\" data-sample=\"{E(c.Case.SampleId)}\" data-error=\"{V(c.Error)}\">")
                .Append(images.Tag(c.Case.SampleId, $"{c.Case.SampleId} ({truth})"))
                .Append($"<figcaption><span class=\"muted\">{E(c.Case.SampleId)}</span><span>truth: <strong>{E(truth)}</strong></span>")
                .Append($"<span class=\"probability\">{E(probability)}</span><span>predicted: {E(predicted)}</span></figcaption></figure>\n");
        }
        html.Append("</div>\n");
    }

    private static string Names(ModelEvaluation model, IReadOnlyList<int> labels) => model.Task == TaskKind.Multilabel
        ? labels.Any(l => l == 1) ? string.Join(", ", model.Classes.Where((_, i) => labels[i] == 1)) : "none"
        : model.Classes[labels[0]];
}
