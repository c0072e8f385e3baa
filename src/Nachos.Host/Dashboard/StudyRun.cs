using System.Collections.Concurrent;
using Nachos.Host.Running;
using Nachos.Shared.Bundle;
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
    private readonly ConcurrentDictionary<TaskAddress, Lazy<ModelEvaluation>> _models = new();
    private readonly ConcurrentDictionary<TaskAddress, Lazy<GradCamView>> _gradCams = new();
    private readonly ConcurrentDictionary<TaskAddress, Lazy<FeatureMapView>> _featureMaps = new();
    private readonly Lazy<CaseImages> _images;
    private readonly Lazy<ResultStatement?> _result;
    private readonly Lazy<TrialTable?> _trialTable;
    private readonly Lazy<(FinalModel? Model, string? Problem)> _finalModel;
    private readonly StudyReport? _report;
    private readonly IReadOnlyDictionary<TaskAddress, Hyperparameters> _liveConfigs;

    private StudyRun(string directory, string studyId, StudySpec spec, StudyReport? report, IReadOnlyList<TaskAddress> models,
        IReadOnlyDictionary<TaskAddress, Hyperparameters>? liveConfigs = null)
    {
        Directory = directory;
        StudyId = studyId;
        Spec = spec;
        _report = report;
        Models = models;
        _liveConfigs = liveConfigs ?? new Dictionary<TaskAddress, Hyperparameters>();
        _images = new Lazy<CaseImages>(() => new CaseImages(spec));
        _result = new Lazy<ResultStatement?>(() => report is null ? null : StudyResult.Load(directory, report));
        _trialTable = new Lazy<TrialTable?>(ReadTrialTable);
        _finalModel = new Lazy<(FinalModel?, string?)>(ReadFinalModel);
    }

    public string Directory { get; }
    public string StudyId { get; }
    public StudySpec Spec { get; }

    /// <summary>Whether the study has finished (a running study's pages show its finished models only).</summary>
    public bool HasReport => _report is not null;

    public StudyReport Report => _report ?? throw new RunDirectoryException($"{ReportPath}: no report (the study '{StudyId}' is still running)");

    /// <summary>Every task folder holding predictions or a history, in <see cref="TaskAddress.CompareTo"/> order.</summary>
    public IReadOnlyList<TaskAddress> Models { get; }

    public CaseImages Images => _images.Value;

    /// <summary>The result in words (null for a running study, or when the spec or plan cannot be read).</summary>
    public ResultStatement? Result => _result.Value;

    public string ReportPath => RunLayout.ReportPath(Directory);

    /// <summary>The model to deploy (DACHOS): the study's own deploy fold, or the one <c>nachos deploy</c> made later; null without one.</summary>
    public FinalModel? FinalModel => _finalModel.Value.Model;

    /// <summary>Why a final model the run directory has could not be read; null when there is none or it was read.</summary>
    public string? FinalModelProblem => _finalModel.Value.Problem;

    private (FinalModel?, string?) ReadFinalModel()
    {
        if (_report is null || StudyDeployment.FinalModelDirectory(Directory, Spec) is not { } dir) return (null, null);
        try
        {
            var later = dir != Directory;
            var spec = later ? RunDirectoryCatalog.LoadSpec(dir) ?? throw new InvalidDataException($"{RunLayout.SpecPath(dir)}: missing") : Spec;
            var report = later ? StudyReport.Read(RunLayout.ReportPath(dir)) : _report;
            return (FinalModel.Of(spec, report, Nachos.Shared.Splits.SplitPlan.Read(RunLayout.SplitsPath(dir)), later), null);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or SpecException or System.Text.Json.JsonException)
        {
            return (null, $"the final model in {dir} cannot be read: {e.Message}");
        }
    }

    public static StudyReport ReadReport(string runDir)
    {
        var path = RunLayout.ReportPath(Path.GetFullPath(runDir));
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
            spec = RunDirectoryCatalog.LoadSpec(dir) ?? throw new RunDirectoryException($"{RunLayout.SpecPath(dir)}: no study spec");
        }
        catch (Exception e) when (e is SpecException or IOException)
        {
            throw new RunDirectoryException($"{RunLayout.SpecPath(dir)}: {e.Message}");
        }
        var models = TaskFolders(dir, report.StudyId).Where(m => HasModel(RunLayout.TaskDirectory(dir, m))).ToList();
        models.Sort();
        return new StudyRun(dir, report.StudyId, spec, report, models);
    }

    /// <summary>
    /// A study still running, as far as its tasks have succeeded (the queue's word: their folders are complete),
    /// with each task's configuration as the queue holds it.
    /// </summary>
    public static StudyRun Live(string runDir, string studyId, StudySpec spec, IEnumerable<TaskView> tasks)
    {
        var finished = tasks.Where(t => t.State == TaskStates.Succeeded)
            .Select(t => (Key: TaskAddress.Parse(t.TaskId), t.Config))
            .Where(f => HasModel(RunLayout.TaskDirectory(runDir, f.Key)))
            .ToList();
        var models = finished.Select(f => f.Key).ToList();
        models.Sort();
        var configs = finished.Where(f => f.Config is not null).ToDictionary(f => f.Key, f => f.Config!);
        return new StudyRun(Path.GetFullPath(runDir), studyId, spec, null, models, configs);
    }

    /// <summary>The study's task folders (o{k}/t{n}/s{j} and o{k}/refit) in the run directory.</summary>
    private static IEnumerable<TaskAddress> TaskFolders(string dir, string studyId) =>
        System.IO.Directory.EnumerateDirectories(dir, "o*")
            .SelectMany(o => System.IO.Directory.EnumerateDirectories(o, "t*").SelectMany(t => System.IO.Directory.EnumerateDirectories(t, "s*")).Append(Path.Combine(o, "refit")))
            .Select(d => TaskAddress.FromFolder(studyId, Path.GetRelativePath(dir, d).Replace(Path.DirectorySeparatorChar, '/')))
            .OfType<TaskAddress>();

    private static bool HasModel(string taskDir) =>
        File.Exists(RunLayout.PredictionsPath(taskDir)) || File.Exists(RunLayout.HistoryPath(taskDir));

    public ModelEvaluation Model(TaskAddress key) =>
        _models.GetOrAdd(key, k => new Lazy<ModelEvaluation>(() => ModelEvaluation.Load(RunLayout.TaskDirectory(Directory, k), k, Spec.Task))).Value;

    /// <summary>The Grad-CAM overlays of a classification model's gallery cases (<paramref name="shown"/>, the same each time for a model), computed once.</summary>
    public GradCamView GradCams(ModelEvaluation model, IReadOnlyList<RankedCase> shown) =>
        _gradCams.GetOrAdd(model.Key, _ => new Lazy<GradCamView>(() => GradCamGallery.Of(this, model, shown))).Value;

    /// <summary>The feature map of a classification model's evaluated cases (<paramref name="ranked"/>, the same each time for a model), computed once.</summary>
    public FeatureMapView FeatureMap(ModelEvaluation model, IReadOnlyList<RankedCase> ranked) =>
        _featureMaps.GetOrAdd(model.Key, _ => new Lazy<FeatureMapView>(() => Dashboard.FeatureMap.Of(this, model, ranked))).Value;

    /// <summary>
    /// The trial table of a finished study, from its tasks.json as the control API reads it (so it is <c>nachos trial list --format csv</c>'s);
    /// null before the study closed or when its task list or split plan cannot be read.
    /// </summary>
    public TrialTable? TrialTable => _trialTable.Value;

    private TrialTable? ReadTrialTable()
    {
        try
        {
            if (_report is null || StudyTaskFile.Read(Directory) is not { } tasks) return null;
            var plan = Nachos.Shared.Splits.SplitPlan.Read(RunLayout.SplitsPath(Directory));
            var shape = Application.StudyShape.Of(Spec, plan);
            var list = new Contract.TrialList(StudyId, Spec.Search.Metric, TrialRows.Score, Application.StudyViews.TrialInfos(_report, shape, tasks.Tasks, null, TrialRows.Score));
            return Application.StudyViews.Table(list);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException or Nachos.Shared.Splits.SplitException)
        {
            return null;
        }
    }

    public FoldResult? Fold(int outer) => _report?.Folds.FirstOrDefault(f => f.Outer == outer);

    public TrialResult? Trial(int outer, int trial) => Fold(outer)?.Trials.FirstOrDefault(t => t.Trial == trial);

    /// <summary>The configuration a model was trained with: its trial's, or for a refit the fold's chosen one.</summary>
    public Hyperparameters? Config(TaskAddress key) =>
        (key.Trial is not { } n ? Fold(key.Outer)?.Config : Trial(key.Outer, n)?.Config) ?? _liveConfigs.GetValueOrDefault(key);

    /// <summary>The search metric's column in history.csv.</summary>
    public string HistoryMetricColumn => Spec.Search.Metric == "loss" ? "val_loss" : $"val_{Spec.Search.Metric}";
}
