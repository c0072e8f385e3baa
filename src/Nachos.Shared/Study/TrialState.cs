using Nachos.Shared.Tasks;

namespace Nachos.Shared.Study;

public abstract record TrialEvent;
/// <param name="MaxRetries">Null in journals written before briefs: such a trial waits for its fold's next <c>StartTrial</c> to bring it.</param>
public sealed record TrialRequested(string StudyId, int Outer, int Trial, Hyperparameters Config, int Splits, int MaxEpochs, int Seed, string Metric,
    int? MaxRetries = null) : TrialEvent;
public sealed record SplitFinished(int Inner, TaskOutcome Outcome) : TrialEvent;

/// <summary>What a trial reports to its outer fold: mean inner validation metric ± SE and mean best epoch, or why it failed.</summary>
public sealed record TrialResult(int Trial, Hyperparameters Config, double? Score, double? StandardError, double MeanBestEpoch, IReadOnlyList<double?> SplitScores, string? Failure)
{
    public bool Failed => Failure is not null;
}

/// <summary>What a trial does next: submit the splits without an outcome (idempotent at the queue), or report its result.</summary>
public abstract record TrialStep;
public sealed record SubmitSplits(IReadOnlyList<TaskSpec> Tasks, int MaxRetries) : TrialStep;
/// <summary>A trial journalled before briefs: nothing to submit until a repeated <c>StartTrial</c> brings its retries.</summary>
public sealed record AwaitTrialBrief : TrialStep;
public sealed record ReportTrial(TrialResult Result) : TrialStep;

/// <summary>One trial: one task per inner split; done when every split has an outcome.</summary>
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

    /// <summary>The retries a repeated request brings to a trial journalled before briefs (kept in memory).</summary>
    public TrialState Brief(TrialRequested repeated) =>
        Request is { MaxRetries: null } r ? this with { Request = r with { MaxRetries = repeated.MaxRetries } } : this;

    public IEnumerable<TaskSpec> Tasks() => Request is not { } r ? [] :
        Enumerable.Range(0, r.Splits).Select(j => TaskSpec.ForSplit(r.StudyId, r.Outer, r.Trial, j, r.Config, r.MaxEpochs, r.Seed));

    /// <summary>Tasks without an outcome yet (to submit, or resubmit after a restart).</summary>
    public IEnumerable<TaskSpec> Pending() => Tasks().Where(t => !Splits.ContainsKey(t.Inner!.Value));

    public TrialResult Result()
    {
        var r = Request ?? throw new InvalidOperationException("trial not requested");
        var outcomes = Enumerable.Range(0, r.Splits).Select(j => Splits[j]).ToList();
        var failed = outcomes.FirstOrDefault(o => !o.Succeeded);
        var scores = outcomes.Select(o => o.Result is { } res ? Score(res, r.Metric) : null).ToList();
        if (failed is not null)
            return new TrialResult(r.Trial, r.Config, null, null, 0, scores, failed.Failure);
        var (summary, undefined) = TrialAggregate.Score(scores, r.Metric);
        if (summary is null) return new TrialResult(r.Trial, r.Config, null, null, 0, scores, undefined);
        return new TrialResult(r.Trial, r.Config, summary.Mean, summary.StandardError,
            outcomes.Average(o => o.Result!.BestEpoch), scores, null);
    }

    private static double? Score(TrainingResult r, string metric) =>
        metric == "loss" ? r.ValidationLoss : r.ValidationMetrics.GetValueOrDefault(metric);
}
