using System.Text.Json.Serialization;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Study;

public abstract record TrialEvent;
/// <param name="MaxRetries">Null in journals written before briefs: such a trial waits for its fold's next <c>StartTrial</c> to bring it.</param>
/// <param name="Rungs">A scheduler's epoch budgets at which the trial is judged (null: none, the trial runs to the end).</param>
/// <param name="Rung">The rung the trial is at (Rungs.Count: past the last, running to the end). Its fold promotes it with a repeated
/// <c>StartTrial</c>; the trial keeps that in memory, and after a restart the fold's next start brings it again.</param>
public sealed record TrialRequested(string StudyId, int Outer, int Trial, Hyperparameters Config, int Splits, int MaxEpochs, int Seed, string Metric,
    int? MaxRetries = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<int>? Rungs = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Rung = 0) : TrialEvent
{
    /// <summary>The epoch budget of the current rung; null once past the last (train to max epochs).</summary>
    public int? Budget() => Rungs is { } rungs && Rung < rungs.Count ? rungs[Rung] : null;
}
public sealed record SplitFinished(int Inner, TaskOutcome Outcome) : TrialEvent;

/// <summary>
/// What a trial reports to its outer fold: mean inner validation metric ± SE and mean best epoch, or why it failed. With
/// <paramref name="RungEpoch"/>, a result measured at a scheduler's rung (trained only that many epochs): the fold promotes the
/// trial or stops it there, and a stopped trial's result is this one. A rung's result also carries <paramref name="Curve"/>, the splits'
/// mean validation metric at each epoch so far, for a scheduler that extrapolates it (null otherwise, and before curves were reported).
/// </summary>
public sealed record TrialResult(int Trial, Hyperparameters Config, double? Score, double? StandardError, double MeanBestEpoch, IReadOnlyList<double?> SplitScores, string? Failure,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? RungEpoch = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<double?>? Curve = null)
{
    public bool Failed => Failure is not null;

    /// <summary>Stopped by the scheduler at a rung: never chosen over a trial that ran to the end.</summary>
    [JsonIgnore]
    public bool Stopped => RungEpoch is not null && !Failed;
}

/// <summary>What a trial does next: submit the splits without an outcome (idempotent at the queue), or report its result.</summary>
public abstract record TrialStep;
public sealed record SubmitSplits(IReadOnlyList<TaskSpec> Tasks, int MaxRetries) : TrialStep;
/// <summary>A trial journalled before briefs: nothing to submit until a repeated <c>StartTrial</c> brings its retries.</summary>
public sealed record AwaitTrialBrief : TrialStep;
public sealed record ReportTrial(TrialResult Result) : TrialStep;

/// <summary>One trial: one task per inner split (at its current rung under a scheduler); done when every split has an outcome.</summary>
public sealed record TrialState(TrialRequested? Request, IReadOnlyDictionary<int, TaskOutcome> Splits)
{
    public static readonly TrialState Empty = new(null, new Dictionary<int, TaskOutcome>());

    public bool Done => Request is not null && Splits.Count == Request.Splits;

    public TrialState Apply(TrialEvent e) => e switch
    {
        TrialRequested r => this with { Request = r },
        SplitFinished f => this with { Splits = new Dictionary<int, TaskOutcome>(Splits) { [f.Inner] = f.Outcome } },
        _ => this,
    };

    /// <summary>A task's outcome, if it is one of this trial's splits and the first for it.</summary>
    public SplitFinished? Accept(TaskOutcome outcome) =>
        Tasks().FirstOrDefault(t => t.TaskId == outcome.TaskId) is { } task && !Splits.ContainsKey(task.Inner!.Value)
            ? new SplitFinished(task.Inner.Value, outcome)
            : null;

    public TrialStep Decide() =>
        Request is null ? throw new InvalidOperationException("trial not requested")
        : Done ? new ReportTrial(Result())
        : Request.MaxRetries is { } retries ? new SubmitSplits(Pending().ToList(), retries)
        : new AwaitTrialBrief();

    /// <summary>
    /// What a repeated request brings (kept in memory): the retries of a trial journalled before briefs, and a promotion to a later
    /// rung, whose splits start with no outcome (they continue the earlier rung's checkpoints under new task ids).
    /// </summary>
    public TrialState Brief(TrialRequested repeated)
    {
        var s = Request is { MaxRetries: null } r ? this with { Request = r with { MaxRetries = repeated.MaxRetries } } : this;
        return s.Request is { } q && repeated.Rung > q.Rung
            ? s with { Request = q with { Rung = repeated.Rung, Rungs = repeated.Rungs }, Splits = new Dictionary<int, TaskOutcome>() }
            : s;
    }

    public IEnumerable<TaskSpec> Tasks() => Request is not { } r ? [] :
        Enumerable.Range(0, r.Splits).Select(j => TaskSpec.ForSplit(r.StudyId, r.Outer, r.Trial, j, r.Config, r.MaxEpochs, r.Seed, r.Budget()));

    /// <summary>Tasks without an outcome yet (to submit, or resubmit after a restart).</summary>
    public IEnumerable<TaskSpec> Pending() => Tasks().Where(t => !Splits.ContainsKey(t.Inner!.Value));

    public TrialResult Result()
    {
        var r = Request ?? throw new InvalidOperationException("trial not requested");
        var outcomes = Enumerable.Range(0, r.Splits).Select(j => Splits[j]).ToList();
        var failed = outcomes.FirstOrDefault(o => !o.Succeeded);
        var scores = outcomes.Select(o => o.Result?.ValidationScore(r.Metric)).ToList();
        var rung = r.Budget();
        if (failed is not null)
            return new TrialResult(r.Trial, r.Config, null, null, 0, scores, failed.Failure, rung);
        var (summary, undefined) = TrialAggregate.Score(scores, r.Metric);
        if (summary is null) return new TrialResult(r.Trial, r.Config, null, null, 0, scores, undefined, rung);
        return new TrialResult(r.Trial, r.Config, summary.Mean, summary.StandardError,
            outcomes.Average(o => o.Result!.BestEpoch), scores, null, rung,
            rung is null ? null : TrialAggregate.MeanCurve(outcomes.Select(o => o.Result!.Curve(r.Metric)).ToList()));
    }
}
