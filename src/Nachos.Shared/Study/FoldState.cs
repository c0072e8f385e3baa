using System.Text.Json.Serialization;
using Nachos.Shared.Search;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Tasks;
using Nachos.Shared.Seeding;

namespace Nachos.Shared.Study;

public abstract record FoldEvent;
/// <param name="Search">The sampler's settings; with <paramref name="MaxRetries"/>, null in journals written before briefs (see <see cref="FoldState.Brief"/>).</param>
/// <param name="Stress">True when the spec has <c>robustness:</c>: the refit is then stress-tested by a task of its own before the fold is done (null: not, as in journals written before).</param>
public sealed record FoldStarted(string StudyId, int Outer, int Trials, int Parallelism, int Splits, int MaxEpochs, int Seed, string Metric, bool Maximise,
    double MaxFailedTrials, SearchSpec? Search = null, int? MaxRetries = null, bool? Stress = null) : FoldEvent;
public sealed record TrialStarted(int Trial, Hyperparameters Config) : FoldEvent;
/// <summary>A trial ended: ran to the end, failed, or (with <see cref="TrialResult.RungEpoch"/>) stopped at a rung by the scheduler.</summary>
public sealed record TrialFinished(TrialResult Result) : FoldEvent;
/// <summary>A trial's score at its current rung (a scheduler's), to be judged.</summary>
public sealed record TrialRungReached(TrialResult Result, int Rung) : FoldEvent;
/// <summary>The scheduler lets a trial go on to rung <paramref name="Rung"/> (past the last: to the end).</summary>
public sealed record TrialPromoted(int Trial, int Rung) : FoldEvent;
public sealed record RefitStarted(int Trial, Hyperparameters Config, int Epochs) : FoldEvent;
public sealed record RefitFinished(TaskOutcome Outcome) : FoldEvent;
/// <summary>The stress task of the fold's refit ended (its outcome after its attempts).</summary>
public sealed record StressFinished(TaskOutcome Outcome) : FoldEvent;
public sealed record FoldFailed(string Reason) : FoldEvent;

/// <summary>What an outer fold reports to its study.</summary>
/// <param name="StressFailure">Why its refit's stress test failed (the fold does not fail with it); null when it did not, or there was none.</param>
public sealed record FoldResult(
    int Outer,
    int? ChosenTrial,
    Hyperparameters? Config,
    double? InnerScore,
    double? InnerStandardError,
    int RefitEpochs,
    IReadOnlyDictionary<string, double?> TestMetrics,
    IReadOnlyList<TrialResult> Trials,
    string? Failure,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? StressFailure = null);

/// <summary>
/// One outer fold's search: up to P trials in flight; trial n starts only when every trial below n − P
/// has finished, and its sampler sees exactly those, so the configurations do not depend on timing.
/// Then the best configuration (ties: lowest trial index) is refit on the whole outer-train set for
/// ceil(mean best inner epoch) epochs and evaluated once on the outer test fold. Under a scheduler, a trial is judged at each
/// rung (see <see cref="RungSchedule"/>) once its peers have reached that rung or ended, and goes on or stops there; a
/// stopped trial is never chosen. With <c>robustness:</c> in the spec, a refit that succeeded is then stress-tested (one task,
/// <c>study/o{k}/stress</c>) and the fold is done when that task has ended. A failed stress test does not fail the fold: the refit's test
/// metrics stand whatever its kind of failure, the fold's result names it and robustness.json leaves the fold out.
/// </summary>
public sealed record FoldState(
    FoldStarted? Start,
    IReadOnlyDictionary<int, Hyperparameters> Started,
    IReadOnlyDictionary<int, TrialResult> Finished,
    RefitStarted? Refit,
    TaskOutcome? RefitOutcome,
    string? Failure,
    IReadOnlyDictionary<(int Trial, int Rung), TrialResult> RungResults,
    IReadOnlyDictionary<int, int> Rungs,
    TaskOutcome? StressOutcome = null)
{
    public static readonly FoldState Empty = new(null, new Dictionary<int, Hyperparameters>(), new Dictionary<int, TrialResult>(), null, null, null,
        new Dictionary<(int, int), TrialResult>(), new Dictionary<int, int>());

    public bool Done => Failure is not null || (RefitOutcome is not null && !AwaitsStress);

    /// <summary>The refit succeeded and the spec asks for a stress test that has not ended yet.</summary>
    private bool AwaitsStress => Start?.Stress == true && RefitOutcome is { Succeeded: true } && StressOutcome is null;

    public IEnumerable<int> Running => Started.Keys.Where(n => !Finished.ContainsKey(n));

    /// <summary>The start of outer fold <paramref name="outer"/> (or of the deploy fold, after them) of a study with this brief.</summary>
    public static FoldStarted Begin(string studyId, StudyBrief brief, int outer) =>
        new(studyId, outer, brief.Search.Trials, brief.Search.Parallelism, brief.SplitsOf(outer), brief.MaxEpochs,
            brief.Seed, brief.Search.Metric, brief.Search.Maximise, brief.MaxFailedTrials, brief.Search, brief.MaxRetries,
            brief.Stress && outer < brief.Folds ? true : null);

    /// <summary>False for a fold journalled before briefs until a repeated start has brought its search and retries.</summary>
    public bool Briefed => Start is { Search: not null, MaxRetries: not null };

    /// <summary>What a repeated start brings to a fold journalled before briefs (kept in memory; the journal is not rewritten).</summary>
    public FoldState Brief(FoldStarted repeated) =>
        Start is { } s && !Briefed ? this with { Start = s with { Search = repeated.Search, MaxRetries = repeated.MaxRetries } } : this;

    /// <summary>The fold's sampler: its own stream of the study seed, so folds search independently and reproducibly.</summary>
    public ISampler Sampler()
    {
        var s = Briefed ? Start! : throw new InvalidOperationException("fold not briefed");
        return Samplers.Create(s.Search!, Seeds.Derive(s.Seed, 2, s.Outer));
    }

    /// <summary>The fold's scheduler, or null when every trial runs to the end.</summary>
    public RungSchedule? Schedule() =>
        Start is { Search.Scheduler: { } scheduler } s ? new RungSchedule(scheduler, s.MaxEpochs, s.Maximise, s.Metric) : null;

    /// <summary>A trial's rungs: the scheduler's, for the (first-stage) search; none for a full-size stage's re-evaluation.</summary>
    private IReadOnlyList<int>? RungsOf(int trial) => trial < Start!.Trials ? Schedule()?.Rungs(trial) : null;

    /// <summary>The first trial of the full-size stage of a two-stage proxy search (search.trials); null for a one-stage search.</summary>
    private int? SecondStage => Start is { Search.Proxy.TopK: > 0 } s ? s.Trials : null;

    /// <summary>The rung a trial is at (0 until promoted).</summary>
    public int RungOf(int trial) => Rungs.GetValueOrDefault(trial);

    /// <summary>What trial <paramref name="trial"/> of this fold is asked to do, at the rung it is at.</summary>
    public TrialRequested TrialRequest(int trial)
    {
        var s = Start ?? throw new InvalidOperationException("fold not started");
        return new TrialRequested(s.StudyId, s.Outer, trial, Started[trial], s.Splits, s.MaxEpochs, s.Seed, s.Metric, s.MaxRetries,
            RungsOf(trial), RungOf(trial));
    }

    /// <summary>
    /// A trial's report, if the fold waits for it: its end, or its score at the rung it is at (repeats, strays, reports of an
    /// earlier rung and reports after the end are dropped).
    /// </summary>
    public FoldEvent? Accept(TrialResult result)
    {
        if (Start is null || Done || Finished.ContainsKey(result.Trial) || !Started.ContainsKey(result.Trial)) return null;
        var rungs = RungsOf(result.Trial) ?? [];
        var rung = RungOf(result.Trial);
        var atRung = rung < rungs.Count ? rungs[rung] : (int?)null;
        if (result.RungEpoch != atRung) return null;
        if (result.Failed || atRung is null) return new TrialFinished(result);
        return RungResults.ContainsKey((result.Trial, rung)) ? null : new TrialRungReached(result, rung);
    }

    /// <summary>The refit's outcome, if this is the refit the fold waits for.</summary>
    public RefitFinished? AcceptRefit(TaskOutcome outcome) =>
        Refit is null || RefitOutcome is not null || outcome.TaskId != RefitTask()!.TaskId ? null : new RefitFinished(outcome);

    /// <summary>The stress task's outcome, if this is the stress test the fold waits for.</summary>
    public StressFinished? AcceptStress(TaskOutcome outcome) => StressTask() is { } t && outcome.TaskId == t.TaskId ? new StressFinished(outcome) : null;

    /// <summary>A task's outcome the fold waits for: its refit's or its stress test's.</summary>
    public FoldEvent? Accept(TaskOutcome outcome) => (FoldEvent?)AcceptRefit(outcome) ?? AcceptStress(outcome);

    public FoldState Apply(FoldEvent e) => e switch
    {
        FoldStarted s => this with { Start = s },
        TrialStarted t => this with { Started = new Dictionary<int, Hyperparameters>(Started) { [t.Trial] = t.Config } },
        TrialFinished f => this with { Finished = new Dictionary<int, TrialResult>(Finished) { [f.Result.Trial] = f.Result } },
        TrialRungReached r => this with { RungResults = new Dictionary<(int, int), TrialResult>(RungResults) { [(r.Result.Trial, r.Rung)] = r.Result } },
        TrialPromoted p => this with { Rungs = new Dictionary<int, int>(Rungs) { [p.Trial] = p.Rung } },
        RefitStarted r => this with { Refit = r },
        RefitFinished r => r.Outcome.Succeeded ? this with { RefitOutcome = r.Outcome } : this with { RefitOutcome = r.Outcome, Failure = $"refit failed: {FailureKinds.Describe(r.Outcome.Kind, r.Outcome.Error)}" },
        StressFinished s => this with { StressOutcome = s.Outcome },
        FoldFailed f => this with { Failure = f.Reason },
        _ => this,
    };

    /// <summary>The events that move the fold on: trials to start, the refit to submit, or failure.</summary>
    public IReadOnlyList<FoldEvent> Decide(ISampler sampler)
    {
        var s = Start ?? throw new InvalidOperationException("fold not started");
        if (Done || Refit is not null) return [];
        if (FailurePoint(s) is { } point)
        {
            var failed = Finished[point];
            return [new FoldFailed($"{Prefix(point).Count(t => t.Failed)} of {s.Trials} trials failed by trial {point} (more than max_failed_trials = {s.MaxFailedTrials:P0}); last: {failed.Failure}")];
        }

        // The scheduler's verdicts move the fold on by themselves (a trial stopped at a rung may be the last to end, or free
        // a peer's verdict): decide again on the judged state, or no result would ever come to decide on.
        var verdicts = Verdicts();
        if (verdicts.Count > 0) return [.. verdicts, .. verdicts.Aggregate(this, (state, e) => state.Apply(e)).Decide(sampler)];
        var events = StartTrials(s, sampler);
        if (events.Count > 0 || Finished.Keys.Count(n => n < s.Trials) < s.Trials) return events;
        if (SecondStage is { } first)
        {
            // Two stages: the proxy search's best configurations, again at full size, as trials search.trials onwards.
            if (!Started.Keys.Any(n => n >= first))
            {
                var top = Ranked(s.Maximise, 0, first).Take(s.Search!.Proxy!.TopK).ToList();
                if (top.Count > 0) return top.Select((t, i) => (FoldEvent)new TrialStarted(first + i, t.Config)).ToList();
            }
            else if (Started.Keys.Any(n => n >= first && !Finished.ContainsKey(n))) return [];
        }

        var best = Best(s.Maximise);
        if (best is null)
        {
            var last = Finished.Values.Where(t => t.Failed).OrderBy(t => t.Trial).Last().Failure;
            var stopped = Finished.Values.Count(t => t.Stopped);
            return [new FoldFailed(stopped == 0 ? $"all {Finished.Count} trials failed; last: {last}"
                : $"no trial ran to the end: {Finished.Count - stopped} failed, {stopped} stopped by the scheduler; last failure: {last}")];
        }
        return [new RefitStarted(best.Trial, best.Config, Math.Max(1, (int)Math.Ceiling(best.MeanBestEpoch - 1e-9)))];
    }

    /// <summary>
    /// The scheduler's verdicts on trials waiting at a rung whose peers (see <see cref="RungSchedule"/>; a peer not started yet has
    /// not) have all reached that rung or ended before it:
    /// promoted to the next rung, or finished there (stopped).
    /// </summary>
    private List<FoldEvent> Verdicts()
    {
        var verdicts = new List<FoldEvent>();
        if (Schedule() is not { } schedule) return verdicts;
        foreach (var n in Running.Order())
        {
            var rung = RungOf(n);
            if (!RungResults.TryGetValue((n, rung), out var own)) continue;
            var peers = new List<RungScore>();
            var settled = true;
            foreach (var m in Enumerable.Range(0, Start!.Trials).Where(m => schedule.IsPeer(n, m)))
            {
                if (RungResults.TryGetValue((m, rung), out var peer)) peers.Add(new RungScore(m, peer.Score, peer.SplitScores, peer.Curve));
                else if (!Finished.ContainsKey(m)) settled = false;
            }
            if (!settled) continue;
            verdicts.Add(schedule.Promote(new RungScore(n, own.Score, own.SplitScores, own.Curve), peers) ? new TrialPromoted(n, rung + 1) : new TrialFinished(own));
        }
        return verdicts;
    }

    /// <summary>New trials, up to P in flight, each seeing the finished trials below n − P.</summary>
    private List<FoldEvent> StartTrials(FoldStarted s, ISampler sampler)
    {
        var events = new List<FoldEvent>();
        var started = new Dictionary<int, Hyperparameters>(Started);
        var running = Running.Count();
        for (var n = started.Count; n < s.Trials && running < s.Parallelism; n++)
        {
            var horizon = n - s.Parallelism;
            if (Enumerable.Range(0, Math.Max(0, horizon)).Any(m => !Finished.ContainsKey(m))) break;
            var earlier = Enumerable.Range(0, n).Select(m => started[m]).ToList();
            var visible = Finished.Values.Where(t => t.Trial < horizon).OrderBy(t => t.Trial)
                .Select(t => new TrialOutcome(t.Trial, t.Config, t.Score)).ToList();
            var config = sampler.Suggest(n, earlier, visible);
            started[n] = config;
            events.Add(new TrialStarted(n, config));
            running++;
        }
        return events;
    }

    /// <summary>
    /// The first trial at which the failures among trials 0..n exceed the allowance, judged on the
    /// finished prefix only, so the verdict and its message do not depend on which later trials
    /// happened to finish first.
    /// </summary>
    private int? FailurePoint(FoldStarted s)
    {
        var failed = 0;
        for (var n = 0; Finished.TryGetValue(n, out var t); n++)
            if (t.Failed && ++failed > s.MaxFailedTrials * s.Trials) return n;
        return null;
    }

    private IEnumerable<TrialResult> Prefix(int last) => Enumerable.Range(0, last + 1).Select(n => Finished[n]);

    /// <summary>
    /// Highest mean inner score (lowest for loss) of the trials that ran to the end, of the full-size stage when the search has
    /// two; ties go to the lowest trial index.
    /// </summary>
    public TrialResult? Best(bool maximise) => Ranked(maximise, SecondStage ?? 0, int.MaxValue).FirstOrDefault();

    /// <summary>The trials from <paramref name="from"/> below <paramref name="to"/> that ran to the end, best first (ties: lowest index).</summary>
    private IEnumerable<TrialResult> Ranked(bool maximise, int from, int to) => Finished.Values
        .Where(t => t.Trial >= from && t.Trial < to && !t.Failed && !t.Stopped)
        .OrderBy(t => maximise ? -t.Score!.Value : t.Score!.Value)
        .ThenBy(t => t.Trial);

    public TaskSpec? RefitTask() => Start is { } s && Refit is { } r
        ? TaskSpec.Refit(s.StudyId, s.Outer, r.Trial, r.Config, r.Epochs, s.Seed)
        : null;

    /// <summary>The stress test of the refit, from the refit's success until it has ended; queued with the refit's own configuration and seed.</summary>
    public TaskSpec? StressTask() => AwaitsStress && Start is { } s && Refit is { } r
        ? TaskSpec.Stress(s.StudyId, s.Outer, r.Trial, r.Config, r.Epochs, s.Seed)
        : null;

    public FoldResult Result()
    {
        var s = Start!;
        var chosen = Refit is { } r ? Finished[r.Trial] : null;
        return new FoldResult(
            s.Outer, chosen?.Trial, chosen?.Config, chosen?.Score, chosen?.StandardError, Refit?.Epochs ?? 0,
            RefitOutcome?.Result?.TestMetrics ?? new Dictionary<string, double?>(),
            // A failed search reports the trials up to its failure point: the same set however it was timed.
            (RefitOutcome is null && Failure is not null && FailurePoint(s) is { } point ? Prefix(point) : Finished.Values.OrderBy(t => t.Trial)).ToList(),
            Failure,
            StressOutcome is { Succeeded: false } failed ? failed.Failure : null);
    }
}
