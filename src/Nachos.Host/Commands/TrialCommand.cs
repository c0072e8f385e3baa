using System.CommandLine;
using Nachos.Host.Api;
using Nachos.Host.Application;
using Nachos.Host.Client;
using Spectre.Console;
using Nachos.Host.Cli;
using Nachos.Host.Contract;

namespace Nachos.Host.Commands;

/// <summary><c>nachos trial list STUDY [--fold K] [--sort METRIC] [--format table|csv|json]</c>.</summary>
public static class TrialCommand
{
    public static Command Create()
    {
        var trial = new Command("trial", "trials of a study (through the control API)");
        var study = StudyIds.Argument("study", "study id");
        var fold = new Option<int?>("--fold") { Description = "outer fold K only" };
        var sort = new Option<string?>("--sort") { Description = "what trials are ranked by within their outer fold: score (default: the search metric, in its direction), loss, or a validation metric (auroc, accuracy, …)" };
        var format = new Option<string>("--format") { Description = "table, csv or json (the rows of the dashboard's trials.csv)", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var list = new Command("list", "trials so far with their inner validation scores, ranked within each outer fold") { study, fold, sort, format };
        ClientAction.Set(list, async (r, client, _) =>
        {
            var query = new List<string>();
            if (r.GetValue(fold) is { } k) query.Add($"fold={k}");
            if (r.GetValue(sort) is { } s) query.Add($"sort={Uri.EscapeDataString(s)}");
            var path = $"api/studies/{ClientAction.Segment(r.GetValue(study)!)}/trials" + (query.Count > 0 ? "?" + string.Join("&", query) : "");
            var trials = await client.Get<TrialList>(path);
            var table = StudyViews.Table(trials);
            switch (r.GetValue(format))
            {
                case "csv": Console.Out.Write(table.Csv()); break;
                case "json": Console.Out.Write(table.Json()); break;
                default:
                    if (trials.Trials.Count == 0) Console.WriteLine("no trials yet");
                    else AnsiConsole.Write(Tables.TrialTable(table, trials.Trials.Any(t => t.Chosen)));
                    break;
            }
            return ExitCodes.Ok;
        });
        trial.Subcommands.Add(list);
        return trial;
    }
}
