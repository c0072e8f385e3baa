using System.Globalization;
using Nachos.Shared.Tasks;
using Spectre.Console;
using Spectre.Console.Rendering;
using Nachos.Shared.Metrics;
using Nachos.Shared.Study;
using Nachos.Host.Contract;

namespace Nachos.Host.Client;

/// <summary>The CLI's tables of studies, folds, trials and nodes.</summary>
public static class Tables
{
    private static string F(double? v) => MetricText.Show(v, "-");

    public static string State(string state) => state switch
    {
        StudyStates.Complete => "[green]complete[/]",
        StudyStates.Failed => "[red]failed[/]",
        StudyStates.Running => "[blue]running[/]",
        _ => $"[grey]{Markup.Escape(state)}[/]",
    };

    /// <summary>A text bar, so it renders the same in a terminal and in a log.</summary>
    public static string Bar(int value, int max, int width = 24)
    {
        var filled = max <= 0 ? 0 : (int)Math.Round(width * Math.Min(1.0, value / (double)max));
        return new string('█', filled) + new string('░', width - filled);
    }

    public static Table Studies(IReadOnlyList<StudySummary> studies)
    {
        var table = new Table().AddColumns("study", "state", "progress", "tasks ended", "running", "failed");
        foreach (var s in studies)
            table.AddRow(Markup.Escape(s.Id), State(s.State), Bar(s.Progress.TasksEnded, s.Progress.TasksTotal),
                $"{s.Progress.TasksEnded} / {s.Progress.TasksTotal}", s.Progress.Running.ToString(), s.Progress.Failed.ToString());
        return table;
    }

    public static Table Folds(StudyDetail study, StudyProgressView progress)
    {
        var table = new Table().Title($"{Markup.Escape(study.Id)}: {State(study.State)}")
            .AddColumns("fold", "progress", "tasks ended", "trials finished", $"best inner {Markup.Escape(study.Metric)}", "running", "failed", "refit");
        foreach (var f in progress.Folds)
            table.AddRow(f.Outer.ToString(), Bar(f.TasksEnded, f.TasksTotal), $"{f.TasksEnded} / {f.TasksTotal}", $"{f.TrialsFinished} / {f.Trials}",
                F(f.BestScore), f.Running.ToString(), f.Failed.ToString(), f.RefitDone ? "done" : "-");
        return table;
    }

    /// <summary>Running tasks with their latest finished epoch ("epoch 3/20").</summary>
    public static Table Running(string id, StudyProgressView progress)
    {
        var table = new Table().Title($"{Markup.Escape(id)}: running tasks").AddColumns("task", "attempt", "epoch");
        foreach (var t in progress.Running) table.AddRow(Markup.Escape(t.TaskId), (t.Attempts + 1).ToString(), t.EpochText());
        return table;
    }

    /// <summary>
    /// A trial table: one outer fold after another, ranked within it, one column per hyperparameter; with
    /// <paramref name="topPerFold"/>, each fold's first rows only (<c>study watch</c>).
    /// </summary>
    public static Table TrialTable(TrialTable trials, bool anyChosen, int? topPerFold = null)
    {
        var table = new Table().Title($"{Markup.Escape(trials.StudyId)}: trials ranked within each outer fold by {Markup.Escape(trials.RankedBy)}")
            .AddColumns("fold", "rank", "trial", "state", "splits", $"{Markup.Escape(trials.Metric)} ± SE", "loss", "best epoch");
        foreach (var p in trials.Parameters) table.AddColumn(new TableColumn(Markup.Escape(p)) { Alignment = trials.IsNumeric(p) ? Justify.Right : Justify.Left });
        table.Columns[3].NoWrap = true; // "failed (out_of_memory)" reads as one word
        var rows = topPerFold is { } n ? trials.Rows.GroupBy(r => r.Outer).SelectMany(f => f.Take(n)) : trials.Rows;
        foreach (var t in rows)
            table.AddRow([t.Outer.ToString(), t.Rank?.ToString(CultureInfo.InvariantCulture) ?? "-", t.Trial + (t.Chosen ? " [yellow]*[/]" : ""), Markup.Escape(t.FailureKind is { } kind ? $"{t.State} ({kind})" : t.State),
                $"{t.SplitsEnded} / {t.Splits}", t.Score is null ? "-" : $"{F(t.Score)} ± {F(t.StandardError)}", F(t.Loss),
                t.MeanBestEpoch is { } e ? e.ToString("F1", CultureInfo.InvariantCulture) : "-",
                .. trials.Parameters.Select(p => t.Config.GetValueOrDefault(p) is { } v ? Markup.Escape(Hyperparameters.Show(v)) : "-")]);
        table.Caption((anyChosen ? "[yellow]*[/] chosen for the fold's refit; " : "") + "every value is a mean over the fold's inner validation splits (the refits' outer test metrics: nachos report)");
        return table;
    }

    public static IRenderable Nodes(NodeList nodes)
    {
        var table = new Table().Title($"cluster (answered by {Markup.Escape(HostPort(nodes.Self))}, leader {Markup.Escape(nodes.Leader is null ? "none" : HostPort(nodes.Leader))})")
            .AddColumns("node", "status", "roles", "reachable", "device", "state", "task", "busy");
        foreach (var n in nodes.Nodes)
        {
            var devices = n.Devices.Count == 0 ? [new DeviceInfo("-", "-", null, 0)] : n.Devices;
            foreach (var (d, i) in devices.Select((d, i) => (d, i)))
                table.AddRow(i == 0 ? Markup.Escape(HostPort(n.Address)) : "", i == 0 ? n.Status : "", i == 0 ? string.Join(",", n.Roles) : "",
                    i == 0 ? (n.Reachable ? "yes" : "[red]no[/]") : "", Markup.Escape(d.Name), Markup.Escape(d.State), Markup.Escape(d.Task ?? ""),
                    d.Name == "-" ? "" : d.BusyRatio.ToString("P0", CultureInfo.InvariantCulture));
        }
        return table;
    }

    /// <summary>host:port of akka.ssl.tcp://system@host:port, which the cluster commands accept as well.</summary>
    private static string HostPort(string address) => address.Contains('@') ? address[(address.IndexOf('@') + 1)..] : address;
}
