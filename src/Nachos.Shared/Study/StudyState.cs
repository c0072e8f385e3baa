namespace Nachos.Shared.Study;

public abstract record StudyEvent;
/// <param name="Brief">Null in journals written before briefs: such a study waits for the next <c>StartStudy</c> to bring it.</param>
public sealed record StudyStarted(string StudyId, int Folds, StudyBrief? Brief = null) : StudyEvent;
public sealed record FoldReported(FoldResult Result) : StudyEvent;
/// <summary>The study's end, with its report: built once from the refits' predictions and kept in the journal, so a later start republishes it unchanged.</summary>
public sealed record StudyFinished(bool Succeeded, string Summary, StudyReport? Report = null) : StudyEvent;
/// <summary>An attempt at building the report met problems (each naming its fold and file) and will be retried.</summary>
public sealed record ReportAttemptFailed(int Attempt, IReadOnlyList<string> Problems) : StudyEvent;

/// <summary>What to do with a report just built: finish the study with it, or try again later.</summary>
public abstract record ReportDecision;
public sealed record FinishStudy(StudyFinished Finished) : ReportDecision;
public sealed record RetryReport(ReportAttemptFailed Failed, TimeSpan After) : ReportDecision;

/// <summary>What a study does next: start (or re-poke) the folds that have not reported, build its report, or republish the one it has.</summary>
public abstract record StudyStep;
/// <summary>Each fold's start, for the folds that have not reported.</summary>
public sealed record StartFolds(IReadOnlyList<FoldStarted> Folds) : StudyStep;
/// <summary>A study journalled before briefs: nothing to do until a <c>StartStudy</c> brings its brief.</summary>
public sealed record AwaitStudyBrief : StudyStep;
public sealed record BuildReport : StudyStep;
public sealed record RepublishReport(StudyReport Report) : StudyStep;

/// <summary>A study: one outer fold per fold of the plan, and the deploy fold when the spec asks for one; finished when every fold has reported.</summary>
public sealed record StudyState(StudyStarted? Start, IReadOnlyDictionary<int, FoldResult> Folds, StudyFinished? Finish, int ReportAttempts = 0)
{
    public static readonly StudyState Empty = new(null, new Dictionary<int, FoldResult>(), null);

    /// <summary>
    /// Waits before the next attempt at a report that met problems; one attempt more than delays. A file still being moved
    /// into place or a passing I/O error on the shared filesystem gets a second look; then the study ends incomplete,
    /// its report naming what was missing. The count is in the journal, so restarts cannot make it loop.
    /// </summary>
    public static readonly IReadOnlyList<TimeSpan> ReportRetryDelays = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)];

    public static int MaxReportAttempts => ReportRetryDelays.Count + 1;

    public bool AllReported => Start is { } s && Folds.Count == (s.Brief?.FoldEntities ?? s.Folds);

    public StudyState Apply(StudyEvent e) => e switch
    {
        // Inherited folds (nachos deploy) count as reported from the start: they are never run again.
        StudyStarted s => this with { Start = s, Folds = s.Brief?.Inherited is { Count: > 0 } inherited ? Merge(inherited) : Folds },
        FoldReported f => this with { Folds = new Dictionary<int, FoldResult>(Folds) { [f.Result.Outer] = f.Result } },
        StudyFinished f => this with { Finish = f },
        ReportAttemptFailed a => this with { ReportAttempts = Math.Max(ReportAttempts, a.Attempt) },
        _ => this,
    };

    private Dictionary<int, FoldResult> Merge(IEnumerable<FoldResult> results)
    {
        var folds = new Dictionary<int, FoldResult>(Folds);
        foreach (var r in results) folds.TryAdd(r.Outer, r);
        return folds;
    }

    /// <summary>The brief a repeated start brings, kept in memory by a study journalled before briefs.</summary>
    public StudyState Brief(StudyBrief brief) => Start is { Brief: null } s ? this with { Start = s with { Brief = brief } } : this;

    /// <summary>A fold's report, if the study waits for it.</summary>
    public FoldReported? Accept(FoldResult result) => Start is null || Folds.ContainsKey(result.Outer) ? null : new FoldReported(result);

    public StudyStep Decide()
    {
        var s = Start ?? throw new InvalidOperationException("study not started");
        if (!AllReported)
            return s.Brief is { } brief
                ? new StartFolds(Enumerable.Range(0, brief.FoldEntities).Where(k => !Folds.ContainsKey(k)).Select(k => FoldState.Begin(s.StudyId, brief, k)).ToList())
                : new AwaitStudyBrief();
        return Finish?.Report is { } stored ? new RepublishReport(stored) : new BuildReport();
    }

    /// <summary>A report without problems, or the last attempt's, finishes the study (failed unless complete); otherwise it is retried.</summary>
    public ReportDecision DecideReport(StudyReport report)
    {
        var attempt = ReportAttempts + 1;
        if (report.Problems is { Count: > 0 } problems && attempt < MaxReportAttempts)
            return new RetryReport(new ReportAttemptFailed(attempt, problems), ReportRetryDelays[attempt - 1]);
        var faults = report.Faults();
        return new FinishStudy(new StudyFinished(report.Complete, faults.Count == 0 ? "complete" : string.Join("; ", faults), report));
    }
}
