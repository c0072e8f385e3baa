using System.Text;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using static Nachos.Host.Dashboard.Html;
using Nachos.Host.Contract;

namespace Nachos.Host.Dashboard;

/// <summary>
/// The served pages that exist before a report does: the campaign's studies, and a running (or paused, or
/// cancelled) study's progress per outer fold with its trials so far. The studies list reloads every two
/// seconds; a study's page does until the study ends.
/// </summary>
public static class LivePages
{
    public const int RefreshSeconds = 2;

    public static string Studies(IReadOnlyList<StudySummary> studies)
    {
        var html = new StringBuilder("<h1>Studies</h1>\n");
        if (studies.Count == 0) html.Append("<p class=\"muted\">No study yet: <code>nachos study submit SPEC</code>.</p>\n");
        else
        {
            html.Append("<table id=\"studies\"><thead><tr><th>study</th><th>state</th><th>progress</th><th>tasks ended</th><th>running</th><th>failed</th></tr></thead><tbody>\n");
            foreach (var s in studies)
                html.Append($"<tr data-study=\"{E(s.Id)}\"><td><a href=\"/studies/{E(Uri.EscapeDataString(s.Id))}\">{E(s.Id)}</a></td><td>{Badge(s.State)}</td>")
                    .Append($"<td>{Bar(s.Progress.TasksEnded, s.Progress.TasksTotal)}</td><td class=\"num\">{s.Progress.TasksEnded} / {s.Progress.TasksTotal}</td>")
                    .Append($"<td class=\"num\">{s.Progress.Running}</td><td class=\"num\">{s.Progress.Failed}</td></tr>\n");
            html.Append("</tbody></table>\n");
        }
        // Always live: a study submitted from anywhere appears without a manual reload.
        return Document("nachos: studies", html.ToString(), RefreshSeconds);
    }

    /// <param name="progress">Tasks ended per outer fold, and the running tasks with their latest finished epoch.</param>
    /// <param name="models">The models whose tasks have succeeded so far: their pages are linked.</param>
    public static string Study(StudyDetail study, StudyProgressView progress, IReadOnlyList<TrialInfo> trials, IReadOnlyList<TaskAddress> models, IPageLinks links)
    {
        string ModelLinks(IEnumerable<TaskAddress> keys, Func<TaskAddress, string> label) =>
            string.Join(" ", keys.Select(m => $"<a href=\"{E(links.Model(m))}\">{E(label(m))}</a>"));
        var html = new StringBuilder("<p><a href=\"/\">all studies</a></p>\n")
            .Append($"<h1>Study <code>{E(study.Id)}</code> {Badge(study.State)}</h1>\n")
            .Append($"<p class=\"muted\">{progress.TasksEnded} of {progress.TasksTotal} tasks ended, {progress.Running.Count} running, {progress.Failed} failed. ")
            .Append("The full study page (test metrics, leaderboard) appears here when the study has finished; the models finished so far are linked below.</p>\n")
            .Append("<h2>Outer folds</h2>\n<table id=\"folds\"><thead><tr><th>fold</th><th>progress</th><th>tasks ended</th><th>trials finished</th><th>running</th><th>failed</th><th>refit</th></tr></thead><tbody>\n");
        foreach (var f in progress.Folds)
            html.Append($"<tr data-outer=\"{f.Outer}\"><td>{f.Outer}</td><td>{Bar(f.TasksEnded, f.TasksTotal)}</td><td class=\"num\">{f.TasksEnded} / {f.TasksTotal}</td>")
                .Append($"<td class=\"num\">{f.TrialsFinished} / {f.Trials}</td><td class=\"num\">{f.Running}</td><td class=\"num\">{f.Failed}</td><td>{(models.Contains(TaskAddress.Refit(study.Id, f.Outer)) ? ModelLinks([TaskAddress.Refit(study.Id, f.Outer)], _ => "done") : f.RefitDone ? "done" : "-")}</td></tr>\n");
        html.Append("</tbody></table>\n");

        if (progress.Running.Count > 0)
        {
            html.Append("<h2>Running tasks</h2>\n<table id=\"running\"><thead><tr><th>task</th><th>attempt</th><th>epoch</th></tr></thead><tbody>\n");
            foreach (var t in progress.Running)
                html.Append($"<tr><td><code>{E(t.TaskId)}</code></td><td class=\"num\">{t.Attempts + 1}</td><td>{E(t.EpochText())}</td></tr>\n");
            html.Append("</tbody></table>\n");
        }

        html.Append($"<h2>Trials, best inner validation {E(study.Metric)} first</h2>\n")
            .Append("<div class=\"scroll\"><table id=\"trials\"><thead><tr><th>fold</th><th>trial</th><th>state</th><th>splits</th><th>score</th><th>SE</th><th>configuration</th><th>models</th></tr></thead><tbody>\n");
        foreach (var t in trials)
            html.Append($"<tr><td>{t.Outer}</td><td>{t.Trial}</td><td>{E(t.FailureKind is { } kind ? $"{t.State} ({kind.Name()})" : t.State)}</td><td class=\"num\">{t.SplitsEnded} / {t.Splits}</td>")
                .Append($"{NumberCell(t.Score)}{NumberCell(t.StandardError)}<td>{E(t.Config is null ? "" : string.Join(", ", t.Config.Select(kv => $"{kv.Key}={kv.Value}")))}</td>")
                .Append($"<td>{ModelLinks(models.Where(m => m.Outer == t.Outer && m.Trial == t.Trial), m => $"s{m.Split}")}</td></tr>\n");
        html.Append("</tbody></table></div>\n");
        return Document($"{study.Id}: {study.State}", html.ToString(), StudyStates.IsFinal(study.State) ? null : RefreshSeconds);
    }

    private static string Badge(string state) => $"<span class=\"badge {E(state)}\" id=\"state\">{E(state)}</span>";

    private static string Bar(int value, int max) => $"<progress value=\"{value}\" max=\"{Math.Max(1, max)}\">{value} / {max}</progress>";
}
