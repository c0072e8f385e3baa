using System.CommandLine;
using System.Globalization;
using Nachos.Host.Cli;
using Nachos.Host.Running;
using Nachos.Shared.Data;
using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.Training.Data;
using Nachos.Training.Engine;
using Spectre.Console;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos ensemble RUN_DIR [--top K] [--out FILE]</c>: for each outer fold of a finished segmentation study, the K
/// best trials' masks combined by union, intersection, majority vote and mean probability; the rule is chosen on the
/// inner validation images and applied once to the outer test images (docs/cli.md). With several run directories,
/// the candidates are each study's K best trials (<see cref="EnsembleOfStudies"/>).
/// </summary>
public static class EnsembleCommand
{
    public static Command Create()
    {
        var runDirs = new Argument<string[]>("run-dir")
        {
            Description = "a finished segmentation study's run directory; several: studies on the same dataset and split plan whose models are combined",
            Arity = ArgumentArity.OneOrMore,
        };
        var top = new Option<int?>("--top") { Description = "how many of each fold's best trials to combine (at least 2; default 3); with several studies, per study (default 1)" };
        var output = new Option<string?>("--out") { Description = "per-image Dice of every rule and model as CSV (default: RUN_DIR/ensemble.csv, with --external RUN_DIR/ensemble-external.csv, with several studies the first RUN_DIR's ensemble-studies.csv)" };
        var external = new Option<string?>("--external") { Description = "a CSV manifest or .npz with masks: the outer folds' refits predict it instead" };
        var command = new Command("ensemble", "combine segmentation models' masks (union, intersection, majority, mean probability): one study's best trials, or several studies'")
            { runDirs, top, output, external };
        command.SetAction(r =>
        {
            var dirs = r.GetValue(runDirs)!;
            if (dirs.Length == 1) return Run(dirs[0], r.GetValue(top) ?? 3, r.GetValue(output), r.GetValue(external));
            if (r.GetValue(external) is not null) return ExitCodes.Refuse("--external takes one run directory: the refits of one study predict the external set");
            return EnsembleOfStudies.Run(dirs, r.GetValue(top) ?? 1, r.GetValue(output));
        });
        return command;
    }

    private static int Run(string dir, int top, string? outFile, string? external)
    {
        if (top < 2) return ExitCodes.Refuse($"--top {top}: an ensemble needs at least 2 trials");
        if (!Directory.Exists(dir)) return ExitCodes.Refuse($"{dir}: no such run directory");
        if (external is not null && !File.Exists(external)) return ExitCodes.Refuse($"--external {external}: no such file");
        StudySpec spec;
        StudyReport report;
        SplitPlan plan;
        LoadedDataset data;
        LoadedDataset? externalData = null;
        try
        {
            spec = RunDirectoryCatalog.LoadSpec(dir) ?? throw new DataException($"{RunLayout.SpecPath(dir)}: no study spec in this run directory");
            if (spec.Task != TaskKind.Segmentation) return ExitCodes.Refuse($"{dir}: study '{spec.Name}' is not a segmentation study (task {SpecNames.NameOf(SpecNames.Tasks, spec.Task)})");
            if (!File.Exists(RunLayout.ReportPath(dir))) return ExitCodes.Refuse($"{RunLayout.ReportPath(dir)}: missing; the study has not finished");
            report = StudyReport.Read(RunLayout.ReportPath(dir));
            plan = SplitPlan.Read(RunLayout.SplitsPath(dir));
            data = Decode(spec, "decoding images and masks");
            if (external is not null) externalData = Decode(ExternalSpec(spec, external), "decoding the external images and masks");
        }
        catch (Exception e) when (e is SpecException or DataException or SplitException or InvalidDataException or System.Text.Json.JsonException or IOException)
        {
            return ExitCodes.Refuse(e is System.Text.Json.JsonException ? $"{RunLayout.ReportPath(dir)}: not a report" : e.Message);
        }
        if (externalData is not null && externalData.Manifest.Samples.FirstOrDefault(s => externalData.Masks?.ContainsKey(s.Id) != true) is { } unmasked)
            return ExitCodes.Refuse($"--external {external}: sample '{unmasked.Id}' has no mask; an external set is scored against its masks");

        var ensembles = new List<FoldEnsemble>();
        var refits = new Dictionary<int, double?>();
        try
        {
            AnsiConsole.Progress().Start(ctx =>
            {
                var bar = ctx.AddTask("predicting with each fold's best trials", maxValue: Math.Max(1, report.Folds.Count));
                foreach (var fold in report.Folds)
                {
                    var trials = FoldEnsembles.Top(fold.Trials, spec.Search.Maximise, top);
                    refits[fold.Outer] = fold.TestMetrics.GetValueOrDefault("dice");
                    if (trials.Count < 2)
                    {
                        if (externalData is null) AnsiConsole.MarkupLineInterpolated($"[yellow]outer fold {fold.Outer}[/]: {trials.Count} finished trial(s); an ensemble needs 2");
                        bar.Increment(1);
                        continue;
                    }
                    var configs = fold.Trials.ToDictionary(t => t.Trial, t => t.Config);
                    ensembles.Add(FoldEnsembles.Evaluate(plan.Outer[fold.Outer], trials.Select(t => new EnsembleCandidate(spec.Name, t)).ToList(), spec.Image.Height, spec.Image.Width,
                        id => data.Masks![id].Select(v => v != 0).ToArray(),
                        (task, train, ids) => TaskModels.ForegroundMaps(spec, data, task, RunLayout.TaskDirectory(dir, task), configs[task.Trial!.Value], train, ids)));
                    bar.Increment(1);
                }
            });
        }
        catch (FileNotFoundException e)
        {
            return ExitCodes.Refuse(e.Message);
        }
        if (externalData is not null) return RunExternal(dir, spec, report, plan, data, externalData, ensembles, outFile);
        if (ensembles.Count == 0) return ExitCodes.Refuse($"{dir}: no outer fold has two finished trials to combine");

        Print(ensembles, refits);
        var csv = outFile ?? Path.Combine(dir, RunLayout.Ensemble);
        EnsembleFile.Write(csv, Enumerable.Range(1, ensembles.Max(e => e.Candidates.Count)).Select(EnsembleFile.TrialColumn).ToList(),
            ensembles.SelectMany(EnsembleFile.RowsOf));
        AnsiConsole.MarkupLineInterpolated($"per-image Dice: [blue]{csv}[/]");
        return ExitCodes.Ok;
    }

    internal static string F(double? v) => v is { } x ? x.ToString("0.000", CultureInfo.InvariantCulture) : "-";

    internal static LoadedDataset Decode(StudySpec spec, string what) => AnsiConsole.Progress().Start(ctx =>
    {
        var bar = ctx.AddTask(what, maxValue: 1);
        return DatasetLoader.Load(spec, (done, total) => (bar.MaxValue, bar.Value) = (total, done));
    });

    /// <summary>The study's spec reading an external set instead: its columns, classes and image size; a bad image or mask is an error.</summary>
    private static StudySpec ExternalSpec(StudySpec spec, string path) => spec with
    {
        Dataset = spec.Dataset with
        {
            Format = path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase) ? DatasetFormat.Npz : DatasetFormat.Csv,
            Path = Path.GetFullPath(path),
            GroupColumn = null, SiteColumn = null, FoldColumn = null,
            MaskColumn = spec.Dataset.MaskColumn ?? "mask",
            OnBadImage = BadImagePolicy.Error,
            Synthetic = null,
        },
    };

    /// <summary>Each outer fold's refit predicts the external images; the rules combine them, the one the folds chose most often on inner validation applied.</summary>
    private static int RunExternal(string dir, StudySpec spec, StudyReport report, SplitPlan plan, LoadedDataset data, LoadedDataset external,
        IReadOnlyList<FoldEnsemble> ensembles, string? outFile)
    {
        var folds = report.Folds.Where(f => f.Failure is null && f.Config is not null).OrderBy(f => f.Outer).ToList();
        if (folds.Count < 2) return ExitCodes.Refuse($"{dir}: {folds.Count} outer fold(s) have a refit; an ensemble of refits needs 2");
        var ids = external.Manifest.Samples.Select(s => s.Id).ToList();
        var refits = new List<(int Outer, IReadOnlyDictionary<string, double[]> Maps)>();
        try
        {
            AnsiConsole.Progress().Start(ctx =>
            {
                var bar = ctx.AddTask("predicting the external set with each outer fold's refit", maxValue: folds.Count);
                foreach (var fold in folds)
                {
                    var test = plan.Outer[fold.Outer].Test.ToHashSet();
                    var train = data.Manifest.Samples.Select(s => s.Id).Where(id => !test.Contains(id)).ToList();
                    var task = TaskAddress.Refit(spec.Name, fold.Outer);
                    refits.Add((fold.Outer, TaskModels.ForegroundMaps(spec, data, task, RunLayout.TaskDirectory(dir, task), fold.Config!, train, ids, external)));
                    bar.Increment(1);
                }
            });
        }
        catch (FileNotFoundException e)
        {
            return ExitCodes.Refuse(e.Message);
        }
        var truth = ids.ToDictionary(id => id, id => external.Masks![id].Select(v => v != 0).ToArray());
        var result = ExternalEnsemble.Evaluate(spec.Image.Height, spec.Image.Width, ensembles.Select(e => e.Chosen).ToList(), refits, truth);

        var table = new Table().AddColumn("model").AddColumn(new TableColumn("Dice").RightAligned()).AddColumn("note");
        foreach (var rule in EnsembleFile.Rules)
            table.AddRow(EnsembleFile.Name(rule), F(result.Scores.RuleMean(rule)),
                (rule == result.Applied ? "applied; " : "") + $"chosen by {result.Votes.GetValueOrDefault(rule)} of {report.Folds.Count} folds on inner validation");
        for (var m = 0; m < result.Refits.Count; m++)
            table.AddRow(EnsembleFile.RefitColumn(result.Refits[m]), F(result.Scores.ModelMean(m)), "outer fold's refit alone");
        table.AddRow("oracle", F(result.Scores.OracleMean), "optimistic upper bound, not an estimate");
        AnsiConsole.Write(table);
        var why = result.Votes.Count == 0
            ? "no fold had two finished trials to choose on inner validation: mean probability by default"
            : "the rule the outer folds chose most often on inner validation";
        AnsiConsole.MarkupLineInterpolated(
            $"External set ({ids.Count} images), mean per-image Dice. Applied rule: {EnsembleFile.Name(result.Applied)} ({why}): [green]{F(result.Dice)}[/]. oracle: each image's best refit, chosen knowing the truth.");
        var csv = outFile ?? Path.Combine(dir, RunLayout.EnsembleExternal);
        EnsembleFile.Write(csv, result.Refits.Select(EnsembleFile.RefitColumn).ToList(),
            EnsembleFile.RowsOf(null, EnsembleFile.External, result.Applied, result.Scores));
        AnsiConsole.MarkupLineInterpolated($"per-image Dice: [blue]{csv}[/]");
        return ExitCodes.Ok;
    }

    private static void Print(IReadOnlyList<FoldEnsemble> ensembles, IReadOnlyDictionary<int, double?> refits)
    {
        var rules = Enum.GetValues<EnsembleRule>();
        // Short headers: the table must fit an 80-column log; the note below spells them out.
        var table = new Table().AddColumn("fold").AddColumn("trials");
        foreach (var rule in rules) table.AddColumn(new TableColumn($"v:{Short(rule)}").RightAligned());
        table.AddColumn("chosen").AddColumn(new TableColumn("test").RightAligned())
            .AddColumn(new TableColumn("best").RightAligned()).AddColumn(new TableColumn("refit").RightAligned())
            .AddColumn(new TableColumn("oracle").RightAligned());
        foreach (var e in ensembles)
        {
            var cells = new List<string> { e.Outer.ToString(CultureInfo.InvariantCulture), string.Join(",", e.Candidates.Select(c => $"t{c.Trial}")) };
            cells.AddRange(rules.Select(r => F(e.Validation.RuleMean(r))));
            cells.AddRange([Short(e.Chosen), F(e.TestDice), F(e.Test.ModelMean(0)), F(refits.GetValueOrDefault(e.Outer)), F(e.Test.OracleMean)]);
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("Mean per-image Dice. v:union, v:inter, v:major, v:mean: each rule (union, intersection, majority, mean probability) " +
                               "on the inner validation images; the best there is chosen and applied once to the outer test images (test). " +
                               "best: the best trial alone; refit: the fold's refit (the report); " +
                               "oracle: each test image's best trial, chosen knowing the truth: an optimistic upper bound, not an estimate.");
    }

    internal static string Short(EnsembleRule rule) => rule switch
    {
        EnsembleRule.Intersection => "inter",
        EnsembleRule.Majority => "major",
        EnsembleRule.MeanProbability => "mean",
        _ => "union",
    };
}
