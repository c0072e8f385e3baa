using System.Collections.Concurrent;
using Nachos.Host.Running;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Host.Dashboard;

/// <summary>A run directory that is not (or not yet) a finished study the dashboard can show.</summary>
public sealed class RunDirectoryException(string message) : Exception(message);

/// <summary>
/// A study's run directory as the dashboard reads it: the spec, the report, and the trained models found in
/// the task folders (evaluated on first use, then kept).
/// </summary>
public sealed class StudyRun
{
    private readonly ConcurrentDictionary<ModelKey, Lazy<ModelEvaluation>> _models = new();
    private readonly Lazy<CaseImages> _images;

    private StudyRun(string directory, StudySpec spec, StudyReport report, IReadOnlyList<ModelKey> models)
    {
        Directory = directory;
        Spec = spec;
        Report = report;
        Models = models;
        _images = new Lazy<CaseImages>(() => new CaseImages(spec));
    }

    public string Directory { get; }
    public StudySpec Spec { get; }
    public StudyReport Report { get; }

    /// <summary>Every task folder holding predictions or a history, in <see cref="ModelKey.Compare"/> order.</summary>
    public IReadOnlyList<ModelKey> Models { get; }

    public CaseImages Images => _images.Value;

    public string ReportPath => Path.Combine(Directory, "report.json");

    /// <summary>The report of a run directory; a clear <see cref="RunDirectoryException"/> naming the path when there is none.</summary>
    public static StudyReport ReadReport(string runDir)
    {
        var path = Path.Combine(Path.GetFullPath(runDir), "report.json");
        if (!System.IO.Directory.Exists(runDir)) throw new RunDirectoryException($"{Path.GetFullPath(runDir)}: no such run directory");
        if (!File.Exists(path)) throw new RunDirectoryException($"{path}: no report (the study has not finished; `nachos run` writes it at the end)");
        try
        {
            return StudyReport.Read(path);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new RunDirectoryException($"{path}: not a study report ({e.Message})");
        }
    }

    public static StudyRun Load(string runDir)
    {
        var dir = Path.GetFullPath(runDir);
        var report = ReadReport(dir);
        StudySpec spec;
        try
        {
            spec = RunDirectoryCatalog.LoadSpec(dir) ?? throw new RunDirectoryException($"{Path.Combine(dir, "spec.yaml")}: no study spec");
        }
        catch (Exception e) when (e is SpecException or IOException)
        {
            throw new RunDirectoryException($"{Path.Combine(dir, "spec.yaml")}: {e.Message}");
        }
        var models = System.IO.Directory.EnumerateDirectories(dir, "o*")
            .SelectMany(o => System.IO.Directory.EnumerateDirectories(o, "t*").SelectMany(t => System.IO.Directory.EnumerateDirectories(t, "s*")).Append(Path.Combine(o, "refit")))
            .Where(d => File.Exists(Path.Combine(d, "predictions.csv")) || File.Exists(Path.Combine(d, "history.csv")))
            .Select(d => ModelKey.Parse(Path.GetRelativePath(dir, d).Replace(Path.DirectorySeparatorChar, '/')))
            .OfType<ModelKey>()
            .ToList();
        models.Sort(ModelKey.Compare);
        return new StudyRun(dir, spec, report, models);
    }

    public ModelEvaluation Model(ModelKey key) =>
        _models.GetOrAdd(key, k => new Lazy<ModelEvaluation>(() => ModelEvaluation.Load(Path.Combine(Directory, k.Path), k, Spec.Task))).Value;

    public FoldResult? Fold(int outer) => Report.Folds.FirstOrDefault(f => f.Outer == outer);

    public TrialResult? Trial(int outer, int trial) => Fold(outer)?.Trials.FirstOrDefault(t => t.Trial == trial);

    /// <summary>The configuration a model was trained with: its trial's, or for a refit the fold's chosen one.</summary>
    public Hyperparameters? Config(ModelKey key) => key.IsRefit ? Fold(key.Outer)?.Config : Trial(key.Outer, key.Trial!.Value)?.Config;

    /// <summary>The search metric's column in history.csv.</summary>
    public string HistoryMetricColumn => Spec.Search.Metric == "loss" ? "val_loss" : $"val_{Spec.Search.Metric}";
}
