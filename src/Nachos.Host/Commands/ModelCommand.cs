using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using Nachos.Actors.Registry;
using Nachos.Host.Application;
using Nachos.Host.Cli;
using Nachos.Host.Client;
using Nachos.Shared.Bundle;
using Nachos.Shared.Files;
using Nachos.Shared.Metrics;
using Nachos.Shared.Predictions;
using Nachos.Shared.Registry;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Npgsql;
using Spectre.Console;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos model register|list|show|promote|history</c>: the model registry (docs/registry.md), through a coordinator's
/// control API with --host, else read and written directly in the journal's database that <c>nachos node --root ROOT</c>
/// uses (ROOT/journal.db, or NACHOS_POSTGRES), with the registered bundles' archives copied under ROOT/registry/.
/// </summary>
public static class ModelCommand
{
    private static readonly Option<string?> Postgres = new("--postgres")
    {
        Description = "Npgsql connection string of the campaign's PostgreSQL journal; without it ROOT/journal.db [NACHOS_POSTGRES]",
    };

    public static Command Create()
    {
        var command = new Command("model", "the model registry: register bundles with their evaluation, rank them, promote a champion");
        command.Subcommands.Add(Register());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Promote());
        command.Subcommands.Add(History());
        return command;
    }

    private static Option<string> Format(params string[] formats)
    {
        var format = new Option<string>("--format") { Description = string.Join(", ", formats), DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong(formats);
        return format;
    }

    private static Command WithStore(Command command)
    {
        command.WithApi();
        command.Options.Add(Postgres);
        return command;
    }

    /// <summary>
    /// Runs <paramref name="body"/> on the registry the options name: a coordinator's control API with --host (NACHOS_API),
    /// else the campaign's database with --root (and --postgres); says why not otherwise (exit 2).
    /// </summary>
    private static Task<int> Open(ParseResult r, CancellationToken cancel, Func<IModelRegistry, Task<int>> body)
    {
        if (GlobalOptions.ApiNamed(r)) return ClientAction.Run(r, (_, client, _) => body(IModelRegistry.Api(client)), cancel);
        var root = OptionOrEnvironment.Text(r, GlobalOptions.Root, "NACHOS_ROOT");
        if (root is null) return Task.FromResult(ExitCodes.Refuse("no campaign directory: give --root ROOT (or NACHOS_ROOT), the one nachos node or nachos run uses; or --host HOST:PORT (NACHOS_API) for a coordinator's API"));
        root = Path.GetFullPath(root);
        if (!Directory.Exists(root)) return Task.FromResult(ExitCodes.Refuse($"--root {root}: no such folder"));
        var postgres = OptionOrEnvironment.Text(r, Postgres, "NACHOS_POSTGRES");
        return Local(new CampaignRegistry(root, postgres), root, postgres, body);
    }

    private static async Task<int> Local(CampaignRegistry registry, string root, string? postgres, Func<IModelRegistry, Task<int>> body)
    {
        try
        {
            return await body(IModelRegistry.Local(registry));
        }
        catch (ApiException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (SqliteException e)
        {
            return ExitCodes.Refuse($"{RunLayout.JournalPath(root)}: cannot open the registry (SQLite: {e.Message.Split('\n')[0]})");
        }
        catch (Exception e) when (e is NpgsqlException or ArgumentException && postgres is not null)
        {
            return ExitCodes.Refuse($"PostgreSQL {NodeConfigRedact(postgres!)}: cannot open the registry ({e.GetType().Name}: {e.Message.Split('\n')[0]})");
        }
    }

    private static string NodeConfigRedact(string connection) => Nachos.Actors.Node.NodeConfig.Redact(connection);

    // ---- register

    private static Command Register()
    {
        var bundle = new Argument<string>("bundle") { Description = "a bundle folder or archive (nachos bundle)" };
        var task = new Option<string>("--task") { Description = "the task name the model is registered under (e.g. lesion-detection)", Required = true };
        var eval = new Option<string>("--eval") { Description = "the bundle's predictions on the evaluation set, with the truth (nachos predict on a labelled manifest)", Required = true };
        var set = new Option<string?>("--eval-set") { Description = "the evaluation set's name (default: the predictions file's name without extension)" };
        var command = WithStore(new Command("register", "register a bundle under a task name with its evaluation") { bundle, task, eval, set });
        command.SetAction((r, cancel) => Open(r, cancel, registry => RunRegister(registry, r.GetValue(bundle)!, r.GetValue(task)!, r.GetValue(eval)!, r.GetValue(set))));
        return command;
    }

    private static async Task<int> RunRegister(IModelRegistry registry, string bundlePath, string task, string evalFile, string? setName)
    {
        if (!RegistryNames.ValidTask(task))
            return ExitCodes.Refuse($"--task {task}: expected lower-case letters, digits, '.', '_' or '-' (at most 100, starting with a letter or digit)");
        setName ??= Path.GetFileNameWithoutExtension(evalFile);
        if (setName.Length == 0) return ExitCodes.Refuse("--eval-set: empty");
        if (!File.Exists(evalFile)) return ExitCodes.Refuse($"--eval {evalFile}: no such file");
        var model = await registry.Register(bundlePath, task, evalFile, setName);
        var metric = PromotionRule.DefaultMetric(model.Kind);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"registered model {model.Id}: {task} version {model.Version}, evaluated on '{setName}' ({model.EvalImages} images, content hash {model.EvalHash[..12]}), "
            + $"{MetricText.Name(metric)} {MetricText.Show(model.Metrics.GetValueOrDefault(metric))}; bundle copied to {model.Bundle}"));
        return ExitCodes.Ok;
    }

    // ---- list

    private static Command List()
    {
        var task = new Argument<string>("task") { Description = "the task name" };
        var sort = new Option<string?>("--sort") { Description = "a recorded evaluation metric to rank by, best first (default: AUROC, Dice for segmentation); nachos:METRIC ranks by the NACHOS estimate's mean" };
        var format = Format("table", "json", "csv");
        var command = WithStore(new Command("list", "a task's registered models ranked by a metric, the champion marked") { task, sort, format });
        command.SetAction((r, cancel) => Open(r, cancel, registry => RunList(registry, r.GetValue(task)!, r.GetValue(sort), r.GetValue(format)!)));
        return command;
    }

    private static async Task<int> RunList(IModelRegistry registry, string task, string? sort, string format)
    {
        var listed = await registry.Models(task);
        var models = listed.Models;
        var metrics = RegistryRanking.RecordedMetrics(models);
        sort ??= PromotionRule.DefaultMetric(models[0].Kind);
        var bare = RegistryRanking.Metric(sort);
        if (!metrics.Contains(bare)) return ExitCodes.Refuse($"--sort {sort}: not a recorded metric of '{task}' (recorded: {string.Join(", ", metrics)}; nachos:METRIC for the NACHOS estimate)");
        var champion = listed.Champion;
        var ranked = RegistryRanking.Ranked(models, sort);
        switch (format)
        {
            case "json":
                Console.WriteLine(JsonSerializer.Serialize(ranked.Select(x => ModelJson(x, champion)), Json));
                break;
            case "csv":
                var csv = new StringBuilder("id,version,champion,registered_at,eval_set,eval_hash,eval_images," + string.Join(',', metrics) + ",nachos_" + bare + "\n");
                foreach (var x in ranked)
                    csv.Append(string.Join(',', new[] { x.Id.ToString(CultureInfo.InvariantCulture), x.Version.ToString(CultureInfo.InvariantCulture),
                        x.Id == champion ? "yes" : "no", x.RegisteredAt.ToString("O", CultureInfo.InvariantCulture), Csv(x.EvalSet), x.EvalHash, x.EvalImages.ToString(CultureInfo.InvariantCulture) }
                        .Concat(metrics.Select(k => Number(x.Metrics.GetValueOrDefault(k)))).Append(Number(x.ExpectedMean(bare))))).Append('\n');
                Console.Write(csv);
                break;
            default:
                var table = new Table().Title($"{Markup.Escape(task)}: registered models by {Markup.Escape(sort)}")
                    .AddColumns(["id", "version", "champion", "registered", "evaluation set", .. metrics.Select(MetricText.Name), $"NACHOS {MetricText.Name(bare)}"]);
                foreach (var x in ranked)
                    table.AddRow([x.Id.ToString(CultureInfo.InvariantCulture), x.Version.ToString(CultureInfo.InvariantCulture), x.Id == champion ? "[green]★ champion[/]" : "",
                        x.RegisteredAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), Markup.Escape($"{x.EvalSet} ({x.EvalHash[..12]})"),
                        .. metrics.Select(k => MetricText.Show(x.Metrics.GetValueOrDefault(k))), Markup.Escape(Expected(x, bare))]);
                Wide();
                AnsiConsole.Write(table);
                break;
        }
        return ExitCodes.Ok;
    }

    private static string Expected(RegisteredModel x, string metric) =>
        x.Expected.Metrics.FirstOrDefault(e => e.Metric == metric) is { Mean: { } mean } e
            ? $"{MetricText.Show(mean)} [{MetricText.Show(e.CiLow)}, {MetricText.Show(e.CiHigh)}]" : "-";

    private static void Wide()
    {
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 200);
    }

    private static string Number(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("R", CultureInfo.InvariantCulture) : "";

    private static string Csv(string text) => text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{text.Replace("\"", "\"\"")}\"" : text;

    private static readonly JsonSerializerOptions Json = new(FileJson.Options) { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    private static object ModelJson(RegisteredModel x, long? champion) => new
    {
        x.Id, x.Task, x.Version, Champion = x.Id == champion, x.Bundle, x.WeightsSha256, Kind = SpecNames.Tasks.First(kv => kv.Value == x.Kind).Key, x.Classes,
        x.SourceStudy, x.SourceTask, x.OuterFold, x.BundleCreated, x.RegisteredAt, x.RegisteredBy,
        Evaluation = new { Set = x.EvalSet, Hash = x.EvalHash, Images = x.EvalImages, x.Threshold, x.Metrics },
        ExpectedPerformance = x.Expected,
    };

    // ---- show

    private static Command Show()
    {
        var id = new Argument<long>("id") { Description = "the model's id (nachos model list)" };
        var format = Format("table", "json");
        var command = WithStore(new Command("show", "one registered model: its bundle, source, evaluation and NACHOS estimate") { id, format });
        command.SetAction((r, cancel) => Open(r, cancel, registry => RunShow(registry, r.GetValue(id), r.GetValue(format)!)));
        return command;
    }

    private static async Task<int> RunShow(IModelRegistry registry, long id, string format)
    {
        var (x, champion) = await registry.Model(id);
        if (format == "json")
        {
            Console.WriteLine(JsonSerializer.Serialize(ModelJson(x, champion), Json));
            return ExitCodes.Ok;
        }
        var grid = new Grid().AddColumn().AddColumn();
        void Row(string key, string value) => grid.AddRow(Markup.Escape(key), Markup.Escape(value));
        Row("model", $"{x.Id}: {x.Task} version {x.Version}{(x.Id == champion ? " (champion)" : "")}");
        Row("bundle", x.Bundle);
        Row("weights sha256", x.WeightsSha256);
        Row("task kind", $"{SpecNames.Tasks.First(kv => kv.Value == x.Kind).Key}: {string.Join(", ", x.Classes)}");
        Row("source", $"study {x.SourceStudy}, task {x.SourceTask}{(x.OuterFold is { } k ? $" (outer fold {k})" : " (all data)")}");
        Row("bundle created", x.BundleCreated.ToString("O", CultureInfo.InvariantCulture));
        Row("registered", $"{x.RegisteredAt.ToString("O", CultureInfo.InvariantCulture)} by {x.RegisteredBy}");
        Row("evaluation set", $"{x.EvalSet}: {x.EvalImages} images, content hash {x.EvalHash}");
        Row("threshold", x.Threshold.ToString("R", CultureInfo.InvariantCulture));
        foreach (var (name, v) in x.Metrics) Row($"  {MetricText.Name(name)}", MetricText.Show(v));
        Row("NACHOS estimate", $"{x.Expected.Folds} outer folds{(x.Expected.Complete ? "" : " (incomplete)")}");
        foreach (var e in x.Expected.Metrics)
            Row($"  {MetricText.Name(e.Metric)}", $"{MetricText.Show(e.Mean)} (95 % CI {MetricText.Show(e.CiLow)} to {MetricText.Show(e.CiHigh)})");
        Wide();
        AnsiConsole.Write(grid);
        return ExitCodes.Ok;
    }

    // ---- promote

    private static Command Promote()
    {
        var id = new Argument<long>("id") { Description = "the challenger's id (nachos model list)" };
        var alpha = new Option<double>("--alpha") { Description = "significance level of the one-sided paired test", DefaultValueFactory = _ => PromotionRule.DefaultAlpha };
        var metric = new Option<string?>("--metric") { Description = "the metric to compare on (default: AUROC, Dice for segmentation)" };
        var command = WithStore(new Command("promote", "make a model its task's champion if it is significantly better than the current one on the same evaluation set")
            { id, alpha, metric });
        command.SetAction((r, cancel) => Open(r, cancel, registry => RunPromote(registry, r.GetValue(id), r.GetValue(alpha), r.GetValue(metric))));
        return command;
    }

    private static async Task<int> RunPromote(IModelRegistry registry, long id, double alpha, string? metric)
    {
        if (!PromotionRule.ValidAlpha(alpha)) return ExitCodes.Refuse($"--alpha {alpha.ToString(CultureInfo.InvariantCulture)}: expected a number in (0, 0.5)");
        var record = await registry.Promote(id, alpha, metric);
        var against = record.PreviousId is { } p ? $" against champion {p} (version {record.PreviousVersion})" : "";
        var test = record.P is null ? "" : $"; test: {record.Test}";
        switch (record.Outcome)
        {
            case PromotionOutcome.Promoted:
                Console.WriteLine($"promoted model {id} ({record.Task} version {record.Version}) to champion{against}: {record.Reason}{test}");
                return ExitCodes.Ok;
            case PromotionOutcome.AlreadyChampion:
                Console.WriteLine($"model {id} ({record.Task} version {record.Version}) is the champion already");
                return ExitCodes.Ok;
            case PromotionOutcome.DifferentSet:
                return ExitCodes.Refuse($"model {id} not promoted{against}: {record.Reason}");
            default:
                Console.Error.WriteLine($"not promoted: model {id} ({record.Task} version {record.Version}){against}: {record.Reason}{test}");
                return ExitCodes.NotPromoted;
        }
    }

    // ---- history

    private static Command History()
    {
        var task = new Argument<string>("task") { Description = "the task name" };
        var format = Format("table", "json", "csv");
        var command = WithStore(new Command("history", "a task's promotion attempts: who, when, which model against which champion, the test and its p-value") { task, format });
        command.SetAction((r, cancel) => Open(r, cancel, registry => RunHistory(registry, r.GetValue(task)!, r.GetValue(format)!)));
        return command;
    }

    private static async Task<int> RunHistory(IModelRegistry registry, string task, string format)
    {
        var history = (await registry.History(task)).Promotions;
        switch (format)
        {
            case "json":
                Console.WriteLine(JsonSerializer.Serialize(history, Json));
                break;
            case "csv":
                var csv = new StringBuilder("at,by,model,version,previous,previous_version,outcome,metric,test,alpha,difference,ci_low,ci_high,p\n");
                foreach (var h in history)
                    csv.Append(string.Join(',', h.At.ToString("O", CultureInfo.InvariantCulture), Csv(h.By), h.ModelId, h.Version, h.PreviousId?.ToString(CultureInfo.InvariantCulture) ?? "",
                        h.PreviousVersion?.ToString(CultureInfo.InvariantCulture) ?? "", h.Outcome, h.Metric, Csv(h.Test), Number(h.Alpha), Number(h.Difference), Number(h.CiLow),
                        Number(h.CiHigh), Number(h.P))).Append('\n');
                Console.Write(csv);
                break;
            default:
                var table = new Table().Title($"{Markup.Escape(task)}: promotion history")
                    .AddColumns("when", "by", "model", "against", "outcome", "metric", "difference", "CI", "p", "test");
                foreach (var h in history)
                    table.AddRow(h.At.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), Markup.Escape(h.By), $"{h.ModelId} (v{h.Version})",
                        h.PreviousId is { } p ? $"{p} (v{h.PreviousVersion})" : "-", h.Outcome == PromotionOutcome.Promoted ? "[green]promoted[/]" : Markup.Escape(h.Outcome.ToString()),
                        MetricText.Name(h.Metric), MetricText.Show(h.Difference, "-"),
                        h.CiLow is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{MetricText.Show(h.CiLow)} to {MetricText.Show(h.CiHigh)} ({(1 - 2 * h.Alpha) * 100:0.#} %)"),
                        PromotionRule.ShowP(h.P), Markup.Escape(h.Test));
                Wide();
                AnsiConsole.Write(table);
                break;
        }
        return ExitCodes.Ok;
    }
}
