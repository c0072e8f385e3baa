using System.Collections.Concurrent;
using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using Nachos.Actors.Devices;
using Nachos.Actors.Entities;
using Nachos.Actors.Node;
using Nachos.Host.Cli;
using Nachos.Host.Running;
using Nachos.Shared.Files;
using Nachos.Shared.Proxy;
using Nachos.Shared.Spec;
using Nachos.Shared.SpecLoading;
using Nachos.Shared.Study;
using Nachos.Shared.TaskProcess;
using Nachos.Shared.Tasks;
using Spectre.Console;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos proxy-check SPEC</c>: trains the same configurations of one outer fold's search by its inner cross-validation
/// twice, at full size and on the spec's <c>search.proxy</c>, with the trainer <c>nachos run</c> uses, and says how well the
/// proxy ranks them (Nachos.Shared.Proxy.ProxyCheck). The two evaluations are two run directories under the output folder
/// (full/, proxy/) whose task folders are laid out as a study's: running the command again reuses finished tasks.
/// </summary>
public static class ProxyCheckCommand
{
    /// <summary>The dashboard's proxy-check page (<see cref="Dashboard.ProxyCheckPage"/>), written beside proxy-check.json.</summary>
    public const string PageName = "proxy-check.html";

    public static Command Create()
    {
        var spec = new Argument<string>("spec") { Description = "study spec (YAML) with search.proxy" };
        var fold = new Option<int>("--fold") { Description = "the outer fold whose search is checked", DefaultValueFactory = _ => 0 };
        var configs = new Option<int?>("--configs") { Description = "configurations to evaluate (default: search.trials)" };
        var format = new Option<string>("--format") { Description = "table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var output = new Option<string?>("--out") { Description = "output folder (default: proxy-check-<study name> next to the spec)" };
        var command = new Command("proxy-check", "compare the search on the proxy (search.proxy) with the full-size search on one outer fold")
            { spec, fold, configs, format, output };
        command.SetAction((r, _) => Run(r.GetValue(spec)!, r.GetValue(fold), r.GetValue(configs), r.GetValue(format)!, r.GetValue(output)));
        return command;
    }

    private static async Task<int> Run(string specPath, int fold, int? configsOption, string format, string? outOption)
    {
        // JSON on standard output stays parseable: progress and messages go to standard error.
        if (format == "json") AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        using var interrupt = new Interruption();
        try
        {
            return await Task.Run(() => Check(specPath, fold, configsOption, format, outOption, interrupt.Token));
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            Console.Error.WriteLine("stopped; run the same command again to continue (finished tasks are kept)");
            return ExitCodes.Interrupted;
        }
    }

    private static int Check(string specPath, int fold, int? configsOption, string format, string? outOption, CancellationToken cancel)
    {
        StudySpec parsed;
        try
        {
            parsed = SpecLoader.LoadFile(specPath);
        }
        catch (SpecException e)
        {
            return ExitCodes.Refuse(e.Message);
        }
        // Checked before the images are decoded.
        if (parsed.Search.Proxy is null)
            return ExitCodes.Refuse($"{specPath}: search.proxy is not set; proxy-check compares the search on a proxy with the full-size search (docs/search.md)");
        if (configsOption is < 2 or > 10_000)
            return ExitCodes.Refuse($"--configs {configsOption}: must be 2 to 10000 (a ranking needs two configurations)");
        var count = configsOption ?? parsed.Search.Trials;
        if (count < 2) return ExitCodes.Refuse($"{specPath}: search.trials is {count}; give --configs 2 or more (a ranking needs two configurations)");

        var inputs = StudyInputs.Load(specPath);
        if (inputs is null) return ExitCodes.BadInput;
        var (spec, data, plan) = inputs;
        if (fold < 0 || fold >= plan.Outer.Count) return ExitCodes.Refuse($"--fold {fold}: the split plan has outer folds 0 to {plan.Outer.Count - 1}");
        var outDir = Path.GetFullPath(outOption ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(specPath))!, $"proxy-check-{spec.Name}"));

        RunDirectoryLock outLock;
        try
        {
            outLock = RunDirectoryLock.Acquire(outDir);
        }
        catch (RunDirectoryException e)
        {
            return ExitCodes.Refuse(e.Message);
        }
        using (outLock)
        {
            var text = File.ReadAllText(specPath);
            var fullSpec = spec with { Search = spec.Search with { Proxy = null } };
            var fullPlan = ProxyCheck.WithoutProxyData(plan);
            var fullDir = Path.Combine(outDir, "full");
            var proxyDir = Path.Combine(outDir, "proxy");
            try
            {
                RunDirectoryCatalog.Store(fullDir, SpecText.WithoutProxy(text), specPath, fullPlan);
                RunDirectoryCatalog.Store(proxyDir, text, specPath, plan);
            }
            catch (Exception e) when (e is InvalidOperationException or InvalidDataException)
            {
                return ExitCodes.Refuse($"{e.Message} (or remove {outDir})");
            }
            using var full = new Evaluator("full size", fullDir, new StudyContext(fullSpec, fullPlan, data.Manifest, fullDir));
            using var proxy = new Evaluator("proxy", proxyDir, new StudyContext(spec, plan, data.Manifest, proxyDir));

            var configs = ProxyCheck.Configurations(spec.Search, spec.Seed, fold, count);
            var tasks = ProxyCheck.Tasks(spec.Name, plan.Outer[fold], configs, spec.Training.MaxEpochs, spec.Seed);
            AnsiConsole.MarkupLineInterpolated(
                $"[bold]{spec.Name}[/] proxy check: outer fold {fold}, {count} configurations × {plan.Outer[fold].Inner.Count} inner splits, full size and {ProxyCheckSetting.Of(spec.Search.Proxy!).Text()}, on {spec.Execution.Devices} device(s); {outDir}");
            var outcomes = Train(tasks, full, proxy, spec.Execution, cancel);

            var metric = spec.Search.Metric;
            var pairs = configs.Select((c, n) => new ProxyCheckPair(n, c.Values,
                ProxyCheck.Evaluate(Of(outcomes[full], n), metric), ProxyCheck.Evaluate(Of(outcomes[proxy], n), metric))).ToList();
            var verdict = ProxyCheck.Verdict(pairs, spec.Search.Maximise, spec.Seed);
            var file = new ProxyCheckFile(spec.Name, Path.GetFullPath(specPath), fold, metric, spec.Search.Maximise,
                spec.Search.Sampler == SamplerKind.Grid ? "grid" : "random", spec.Seed, plan.Outer[fold].Inner.Count, spec.Training.MaxEpochs,
                ProxyCheckSetting.Of(spec.Search.Proxy!), count, ProxyCheck.BootstrapReplicates, pairs, verdict);
            var json = JsonSerializer.Serialize(file, FileJson.Options);
            var path = ProxyCheckFile.PathIn(outDir);
            AtomicFile.WriteAllText(path, json + "\n");
            var page = Path.Combine(outDir, PageName);
            AtomicFile.WriteAllText(page, Dashboard.PageRenderer.Render<Dashboard.ProxyCheckPage>(new Dictionary<string, object?> { [nameof(Dashboard.ProxyCheckPage.Path)] = path }));
            if (format == "json") Console.Out.WriteLine(json);
            else Write(file);
            AnsiConsole.MarkupLineInterpolated($"wrote {path}");
            AnsiConsole.MarkupLineInterpolated($"page: {page}");
            foreach (var p in pairs)
                foreach (var (name, e) in new[] { ("full size", p.Full), ("proxy", p.Proxy) })
                    if (e.Failure is { } failure) Console.Error.WriteLine($"configuration {p.Trial}, {name}: {failure}");
            if (verdict.Paired >= 2) return ExitCodes.Ok;
            Console.Error.WriteLine($"only {verdict.Paired} of {count} configurations were scored by both evaluations; no ranking to compare");
            return ExitCodes.Failed;
        }

        IReadOnlyList<TaskOutcome> Of(ConcurrentDictionary<string, TaskOutcome> done, int trial) =>
            done.Values.Where(o => TaskAddress.Parse(o.TaskId).Trial == trial).OrderBy(o => TaskAddress.Parse(o.TaskId).Split).ToList();
    }

    /// <summary>One of the two evaluations: its run directory and the executor <c>nachos run</c> would use for it.</summary>
    private sealed class Evaluator : IDisposable
    {
        public Evaluator(string name, string runDir, StudyContext context)
        {
            Name = name;
            RunDir = runDir;
            var catalog = new RunDirectoryCatalog(runDir);
            catalog.Add(context);
            Executor = new SpecExecutor(catalog);
        }

        public string Name { get; }
        public string RunDir { get; }
        public SpecExecutor Executor { get; }

        public void Dispose() => Executor.Dispose();
    }

    /// <summary>
    /// Every task of both evaluations, interleaved (so the machine's load falls alike on both), on the spec's device slots, with
    /// the spec's retries for transient failures. A task with a result from an earlier run is not trained again.
    /// </summary>
    private static Dictionary<Evaluator, ConcurrentDictionary<string, TaskOutcome>> Train(IReadOnlyList<TaskSpec> tasks, Evaluator full,
        Evaluator proxy, ExecutionSpec execution, CancellationToken cancel)
    {
        var outcomes = new Dictionary<Evaluator, ConcurrentDictionary<string, TaskOutcome>> { [full] = new(), [proxy] = new() };
        var queue = new ConcurrentQueue<(Evaluator, TaskSpec)>(tasks.SelectMany(t => new[] { (full, t), (proxy, t) }));
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var bars = new Dictionary<Evaluator, ProgressTask>
                {
                    [full] = ctx.AddTask("full size", maxValue: tasks.Count),
                    [proxy] = ctx.AddTask("proxy", maxValue: tasks.Count),
                };
                var workers = NodeOptions.CpuSlots(execution.Devices).Select(device => Task.Run(() =>
                {
                    while (queue.TryDequeue(out var item))
                    {
                        cancel.ThrowIfCancellationRequested();
                        var (evaluator, task) = item;
                        outcomes[evaluator][task.TaskId] = Attempt(evaluator, task, device, execution.MaxRetries, cancel);
                        bars[evaluator].Increment(1);
                    }
                }, cancel)).ToArray();
                // On Ctrl-C the running children checkpoint and exit before this returns.
                try
                {
                    Task.WaitAll(workers);
                }
                catch (AggregateException) when (cancel.IsCancellationRequested)
                {
                    throw new OperationCanceledException(cancel);
                }
            });
        return outcomes;
    }

    private static TaskOutcome Attempt(Evaluator evaluator, TaskSpec task, string device, int retries, CancellationToken cancel)
    {
        var result = RunLayout.ResultPath(RunLayout.TaskDirectory(evaluator.RunDir, task.Address()));
        if (File.Exists(result))
        {
            try { return new TaskOutcome(task.TaskId, ChildResultFile.Read(result), null, 0); }
            catch (ChildFileException) { } // damaged: trained again
        }
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return new TaskOutcome(task.TaskId, evaluator.Executor.Run(task, attempt, device, _ => { }, cancel), null, attempt);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
            {
                FailureKind? kind = FailureKinds.Of(e);
                if (!kind.IsTransient() || attempt > retries) return new TaskOutcome(task.TaskId, null, e.Message, attempt, kind);
            }
        }
    }

    private static void Write(ProxyCheckFile file)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("configuration").AddColumn(new TableColumn($"full {file.Metric}").RightAligned()).AddColumn(new TableColumn($"proxy {file.Metric}").RightAligned())
            .AddColumn(new TableColumn("full s").RightAligned()).AddColumn(new TableColumn("proxy s").RightAligned());
        var v = file.Verdict;
        foreach (var p in file.Pairs)
        {
            var mark = p.Trial == v.FullBestTrial ? " [green](best full)[/]" : "";
            mark += p.Trial == v.ProxyChoiceTrial ? " [blue](proxy's choice)[/]" : "";
            table.AddRow(new Markup($"{p.Trial}: {Markup.Escape(string.Join(", ", p.Config.Select(kv => $"{kv.Key}={Hyperparameters.Show(kv.Value)}")))}{mark}"),
                new Text(Score(p.Full.Score, p.Full.StandardError, p.Full.Failure)), new Text(Score(p.Proxy.Score, p.Proxy.StandardError, p.Proxy.Failure)),
                new Text(F($"{p.Full.Seconds:N1}")), new Text(F($"{p.Proxy.Seconds:N1}")));
        }
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine(F($"Spearman ρ {ProxyCheckSummary.Correlation(v.Spearman)}, Kendall τ-b {ProxyCheckSummary.Correlation(v.KendallTauB)} over {v.Paired} configurations"));
        if (v.Regret is { } r)
            AnsiConsole.WriteLine(F($"regret {r:0.####} (best full {v.FullBestScore:0.####} ± SE {Number(v.FullBestStandardError)}, proxy's choice at full size {v.ProxyChoiceFullScore:0.####})")
                                  + (v.RegretWithinStandardError is { } within ? within ? ": within the SE" : ": more than the SE" : ""));
        AnsiConsole.WriteLine(F($"device-seconds: full {v.FullDeviceSeconds:N1}, proxy {v.ProxyDeviceSeconds:N1}, speed-up {(v.SpeedUp is { } s ? F($"{s:0.##}×") : "n/a")}"));
        if (ProxyCheckSummary.Noise(v) is { } noise) AnsiConsole.WriteLine(noise);
    }

    private static string Score(double? score, double? se, string? failure) =>
        score is { } s ? F($"{s:0.####}") + (se is { } e ? F($" ± {e:0.####}") : "") : failure is null ? "undefined" : "failed";

    private static string Number(double? x) => x is { } v ? F($"{v:0.####}") : "n/a";

    private static string F(FormattableString s) => FormattableString.Invariant(s);
}
