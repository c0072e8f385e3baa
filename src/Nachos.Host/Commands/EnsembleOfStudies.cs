using System.Globalization;
using Nachos.Host.Cli;
using Nachos.Host.Running;
using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Training.Data;
using Nachos.Training.Engine;
using Spectre.Console;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos ensemble RUN_DIR RUN_DIR... [--top K] [--out FILE]</c>: models from several finished segmentation studies
/// on the same dataset and split plan. Per outer fold the candidates are each study's K best trials; the rule is chosen
/// on the inner validation images and applied once to the outer test images, as for one study (docs/cli.md).
/// </summary>
public static class EnsembleOfStudies
{
    public static int Run(IReadOnlyList<string> dirs, int top, string? outFile)
    {
        if (top < 1) return ExitCodes.Refuse($"--top {top}: each study gives at least 1 trial");
        if (StudyEnsembles.Repeated(dirs) is var (first, again))
            return ExitCodes.Refuse($"{first} and {again}: the same run directory given twice; an ensemble of studies needs different studies");
        if (dirs.FirstOrDefault(d => !Directory.Exists(d)) is { } missing) return ExitCodes.Refuse($"{missing}: no such run directory");

        var studies = new List<EnsembleStudy>();
        var specs = new Dictionary<string, (string Dir, StudySpec Spec)>();
        foreach (var dir in dirs)
        {
            try
            {
                var spec = RunDirectoryCatalog.LoadSpec(dir) ?? throw new DataException($"{RunLayout.SpecPath(dir)}: no study spec in this run directory");
                if (spec.Task != TaskKind.Segmentation) return ExitCodes.Refuse($"{dir}: study '{spec.Name}' is not a segmentation study (task {SpecNames.NameOf(SpecNames.Tasks, spec.Task)})");
                if (!File.Exists(RunLayout.ReportPath(dir))) return ExitCodes.Refuse($"{RunLayout.ReportPath(dir)}: missing; the study has not finished");
                StudyReport report;
                try { report = StudyReport.Read(RunLayout.ReportPath(dir)); }
                catch (System.Text.Json.JsonException) { return ExitCodes.Refuse($"{RunLayout.ReportPath(dir)}: not a report"); }
                var plan = SplitPlan.Read(RunLayout.SplitsPath(dir));
                studies.Add(new EnsembleStudy(dir, spec.Name, spec.Dataset.Path, DatasetKey(spec), spec.Dataset.Classes, plan, report, spec.Search.Maximise));
                specs.TryAdd(spec.Name, (dir, spec));
            }
            catch (Exception e) when (e is SpecException or DataException or SplitException or InvalidDataException or System.Text.Json.JsonException or IOException)
            {
                return ExitCodes.Refuse(e is System.Text.Json.JsonException ? $"{RunLayout.SplitsPath(dir)}: not a split plan" : e.Message);
            }
        }
        if (StudyEnsembles.Mismatch(studies) is { } mismatch) return ExitCodes.Refuse(mismatch);

        // The dataset is the same content for every study: decoded once, with the first study's spec.
        var reference = specs[studies[0].Name].Spec;
        LoadedDataset data;
        try
        {
            data = EnsembleCommand.Decode(reference, "decoding images and masks");
        }
        catch (Exception e) when (e is DataException or InvalidDataException or IOException)
        {
            return ExitCodes.Refuse(e.Message);
        }
        var plan0 = studies[0].Plan;
        var configs = studies.SelectMany(s => s.Report.Folds.SelectMany(f => f.Trials.Select(t => (Key: (s.Name, f.Outer, t.Trial), t.Config))))
            .ToDictionary(p => p.Key, p => p.Config);
        var ensembles = new List<FoldEnsemble>();
        try
        {
            AnsiConsole.Progress().Start(ctx =>
            {
                var folds = StudyEnsembles.Candidates(studies, top);
                var bar = ctx.AddTask("predicting with each study's best trials", maxValue: Math.Max(1, folds.Count));
                foreach (var (outer, candidates) in folds)
                {
                    if (candidates.Count < 2)
                        AnsiConsole.MarkupLineInterpolated($"[yellow]outer fold {outer}[/]: {candidates.Count} finished trial(s) across the studies; an ensemble needs 2");
                    else
                        ensembles.Add(FoldEnsembles.Evaluate(plan0.Outer[outer], candidates, reference.Image.Height, reference.Image.Width,
                            id => data.Masks![id].Select(v => v != 0).ToArray(),
                            (task, train, ids) =>
                            {
                                var (dir, spec) = specs[task.Study];
                                return TaskModels.ForegroundMaps(spec, data, task, RunLayout.TaskDirectory(dir, task), configs[(task.Study, task.Outer, task.Trial!.Value)], train, ids);
                            }));
                    bar.Increment(1);
                }
            });
        }
        catch (FileNotFoundException e)
        {
            return ExitCodes.Refuse(e.Message);
        }
        if (ensembles.Count == 0) return ExitCodes.Refuse($"{string.Join(", ", dirs)}: no outer fold has two finished trials to combine");

        Print(studies, ensembles);
        var columns = StudyEnsembles.Columns(studies, ensembles);
        var csv = outFile ?? Path.Combine(dirs[0], RunLayout.EnsembleStudies);
        EnsembleFile.Write(csv, columns.Select(EnsembleFile.CandidateColumn).ToList(), ensembles.SelectMany(e => EnsembleFile.RowsOf(e, columns)));
        AnsiConsole.MarkupLineInterpolated($"per-image Dice: [blue]{csv}[/]");
        return ExitCodes.Ok;
    }

    private static string DatasetKey(StudySpec spec) => Convert.ToHexStringLower(spec.Dataset.Format == DatasetFormat.Npz
        ? DatasetContentKey.OfNpz(spec.Dataset.Path, spec.Dataset.NpzParts, spec.Image)
        : DatasetContentKey.Of(DatasetLoader.ReadManifest(spec), spec.Image));

    private static void Print(IReadOnlyList<EnsembleStudy> studies, IReadOnlyList<FoldEnsemble> ensembles)
    {
        var rules = EnsembleFile.Rules;
        var table = new Table().AddColumn("fold").AddColumn("candidates");
        foreach (var rule in rules) table.AddColumn(new TableColumn($"v:{EnsembleCommand.Short(rule)}").RightAligned());
        table.AddColumn("chosen").AddColumn(new TableColumn("test").RightAligned()).AddColumn(new TableColumn("alone").RightAligned());
        foreach (var s in studies) table.AddColumn(new TableColumn($"refit {s.Name}").RightAligned());
        table.AddColumn(new TableColumn("oracle").RightAligned());
        foreach (var e in ensembles)
        {
            // The single candidate best on validation, as a rule would be chosen: its test Dice is a fair comparison.
            var alone = Enumerable.Range(0, e.Candidates.Count).MaxBy(e.Validation.ModelMean);
            var cells = new List<string> { e.Outer.ToString(CultureInfo.InvariantCulture), string.Join(",", e.Candidates) };
            cells.AddRange(rules.Select(r => EnsembleCommand.F(e.Validation.RuleMean(r))));
            cells.AddRange([EnsembleCommand.Short(e.Chosen), EnsembleCommand.F(e.TestDice), EnsembleCommand.F(e.Test.ModelMean(alone))]);
            cells.AddRange(studies.Select(s => EnsembleCommand.F(s.Report.Folds.FirstOrDefault(f => f.Outer == e.Outer)?.TestMetrics.GetValueOrDefault("dice"))));
            cells.Add(EnsembleCommand.F(e.Test.OracleMean));
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("Mean per-image Dice. candidates: each study's best trials (study/trial). v:union, v:inter, v:major, v:mean: each rule " +
                               "(union, intersection, majority, mean probability) on the inner validation images; the best there is chosen and " +
                               "applied once to the outer test images (test). alone: the candidate best on validation, alone on the test images; " +
                               "refit: each study's refit (its report); oracle: each test image's best candidate, chosen knowing the truth: " +
                               "an optimistic upper bound, not an estimate.");
    }
}
