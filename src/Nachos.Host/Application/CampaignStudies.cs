using System.Collections.Concurrent;
using Nachos.Host.Dashboard;
using Nachos.Host.Running;
using Nachos.Shared.Spec;
using Nachos.Shared.Registry;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Host.Contract;

namespace Nachos.Host.Application;

/// <summary>What the API needs of a stored study: its spec, the inner splits of each outer fold, its report once there is one.</summary>
/// <param name="Stressed">The folds that stress-test their refit as a task (<see cref="StudyProgressView.StressedFolds"/>).</param>
public sealed record StudyShape(StudySpec Spec, IReadOnlyList<int> InnerSplits, int Stressed = 0)
{
    public static StudyShape Of(StudySpec spec, SplitPlan plan) => new(spec, plan.InnerSplitsPerFold, StudyProgressView.StressedFolds(spec, plan));

    public int TasksTotal => StudyProgressView.PlannedTasks(Spec.Search.Trials, InnerSplits, Stressed);

    public StudyProgressView Progress(IReadOnlyList<TaskView> tasks) =>
        StudyProgressView.Of(tasks, Spec.Search.Trials, InnerSplits, Spec.Search.Metric, Spec.Search.Maximise, Stressed);
}

/// <summary>
/// The studies of a campaign directory (ROOT/studies/ID), read for the API. Specs, plans and reports do not
/// change once written, so each is read once.
/// </summary>
public sealed class CampaignStudies(string root)
{
    private readonly ConcurrentDictionary<string, StudyShape> _shapes = new();
    private readonly ConcurrentDictionary<string, StudyReport> _reports = new();
    private readonly ConcurrentDictionary<string, StudyTaskFile> _closed = new();
    private readonly ConcurrentDictionary<string, Stamped<StudyRun>> _runs = new();
    private readonly ConcurrentDictionary<string, Stamped<string>> _studyPages = new();
    private readonly ConcurrentDictionary<string, Stamped<string>> _exports = new();

    public string Root => root;

    public string Directory(string id) => RunDirectoryCatalog.StudyDirectory(root, id);

    /// <summary>A stored study: a valid study name whose folder holds a spec (anything else, such as "..", is not one).</summary>
    public bool Exists(string id) => StudyName.IsValid(id) && File.Exists(RunLayout.SpecPath(Directory(id)));

    /// <summary>When the study was stored (its spec copy is written once, at submit or at the first <c>nachos run</c>); null when it is not there.</summary>
    public DateTimeOffset? Started(string id) =>
        File.Exists(RunLayout.SpecPath(Directory(id))) ? new DateTimeOffset(File.GetLastWriteTimeUtc(RunLayout.SpecPath(Directory(id))), TimeSpan.Zero) : null;

    public IReadOnlyList<string> Ids() =>
        !System.IO.Directory.Exists(RunDirectoryCatalog.StudiesDirectory(root))
            ? []
            : System.IO.Directory.GetDirectories(RunDirectoryCatalog.StudiesDirectory(root)).Select(Path.GetFileName).OfType<string>()
                .Where(Exists).Order(StringComparer.Ordinal).ToList();

    /// <summary>The spec and the plan's shape; null when they cannot be read (the data moved, say).</summary>
    public StudyShape? Shape(string id)
    {
        if (_shapes.TryGetValue(id, out var shape)) return shape;
        try
        {
            var spec = RunDirectoryCatalog.LoadSpec(Directory(id));
            if (spec is null) return null;
            var plan = SplitPlan.Read(RunLayout.SplitsPath(Directory(id)));
            return _shapes[id] = StudyShape.Of(spec, plan);
        }
        catch (Exception e) when (e is SpecException or IOException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public string ReportPath(string id) => RunLayout.ReportPath(Directory(id));

    public StudyReport? Report(string id)
    {
        if (_reports.TryGetValue(id, out var report)) return report;
        if (!File.Exists(ReportPath(id))) return null;
        try
        {
            return _reports[id] = StudyReport.Read(ReportPath(id));
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            return null; // being written
        }
    }

    /// <summary>A closed study's task list (kept once read: it does not change); null while the work queue holds the study's tasks.</summary>
    /// <exception cref="InvalidDataException">The file is damaged.</exception>
    public StudyTaskFile? ClosedTasks(string id)
    {
        if (_closed.TryGetValue(id, out var file)) return file;
        return StudyTaskFile.Read(Directory(id)) is { } read ? _closed[id] = read : null;
    }

    /// <summary>
    /// A finished study as the dashboard reads it (its models evaluated on first use, then kept); null before its report exists.
    /// Read again when a command has since added to its run directory (<see cref="RunDirectoryStamp"/>).
    /// </summary>
    public StudyRun? Run(string id) => Run(id, RunDirectoryStamp.Of(Directory(id)));

    private StudyRun? Run(string id, string stamp) => Report(id) is null ? null : Kept(_runs, id, stamp, () => StudyRun.Load(Directory(id)));

    /// <summary>A finished study's served page, rendered once per set of downloads and run-directory stamp (its plots take tens of milliseconds).</summary>
    /// <param name="bundles">The models registered from the study: their bundles are linked for download.</param>
    public string? StudyPage(string id, IReadOnlyList<RegisteredModel> bundles)
    {
        var stamp = RunDirectoryStamp.Of(Directory(id));
        if (Run(id, stamp) is not { } run) return null;
        var downloads = StudyDownloads.Of(id, File.Exists(RunLayout.ReportCsvPath(Directory(id))), bundles);
        var key = stamp + "\n" + string.Join("\n", downloads.Select(d => d.Href));
        var finalBundle = StudyDownloads.FinalBundle(run.FinalModel, bundles);
        return Kept(_studyPages, id, key, () => new DashboardRenderer(run).StudyPage(new ServedLinks(id), downloads, finalBundle));
    }

    /// <summary>A finished study's report as one self-contained HTML file, rendered once per run-directory stamp (it takes about half a second).</summary>
    public string? Export(string id)
    {
        var stamp = RunDirectoryStamp.Of(Directory(id));
        return Run(id, stamp) is { } run ? Kept(_exports, id, stamp, () => new DashboardRenderer(run).Export()) : null;
    }

    private sealed record Stamped<T>(string Stamp, Lazy<T> Value);

    /// <summary>The value kept for <paramref name="id"/> under <paramref name="stamp"/>; made (once) when there is none or it was kept under another stamp.</summary>
    private static T Kept<T>(ConcurrentDictionary<string, Stamped<T>> kept, string id, string stamp, Func<T> make) =>
        kept.AddOrUpdate(id, _ => new Stamped<T>(stamp, new Lazy<T>(make)),
            (_, old) => old.Stamp == stamp ? old : new Stamped<T>(stamp, new Lazy<T>(make))).Value.Value;

    public bool IsCancelled(string id) => File.Exists(RunLayout.CancelledPath(Directory(id)));

    public void MarkCancelled(string id) =>
        File.WriteAllText(RunLayout.CancelledPath(Directory(id)), DateTime.UtcNow.ToString("O") + "\n");

    /// <summary>A finished study's report decides; then a cancellation; then a pause; else it is running.</summary>
    public string State(string id, StudyCounts? counts) =>
        Report(id) is { } report ? (report.Complete ? StudyStates.Complete : StudyStates.Failed)
        : IsCancelled(id) || counts?.Cancelled == true ? StudyStates.Cancelled
        : counts?.Paused == true ? StudyStates.Paused
        : StudyStates.Running;

    public ProgressInfo Progress(string id, StudyCounts? counts) =>
        new((counts?.Succeeded ?? 0) + (counts?.Failed ?? 0), Shape(id)?.TasksTotal ?? 0, counts?.Running ?? 0, counts?.Failed ?? 0);
}
