using Akka.Actor;
using Akka.Persistence;
using Nachos.Actors.Messages;
using Nachos.Shared.Search;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Actors.Entities;

/// <summary>
/// Outer fold entity (id study/o{k}): runs the search (FoldState decides), starts trials, submits the
/// refit of the chosen configuration, then (with <c>robustness:</c>) the refit's stress test, and reports the fold's result to its study.
/// </summary>
public sealed class FoldActor : ReceivePersistentActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;

    private readonly IActorRef _queue;
    private FoldState _state = FoldState.Empty;
    private ISampler? _sampler;

    public override string PersistenceId { get; }

    /// <summary>No snapshots are taken, so recovery skips the snapshot-store query (4× faster entity starts on SQLite).</summary>
    public override Recovery Recovery => new(SnapshotSelectionCriteria.None);

    public FoldActor(string entityId, IActorRef queue)
    {
        PersistenceId = "fold-" + entityId;
        _queue = queue;
        Recover<FoldEvent>(e => _state = _state.Apply(e));
        Command<StopEntity>(_ => Context.Stop(Self));
        Command<TaskStudyClosed>(_ =>
        {
            // The study finished: its report is stored and nothing waits for this fold.
            Timers.Cancel("resubmit");
            Regions.Passivate(Context);
        });
        Command<Recovered>(_ =>
        {
            if (_state.Start is not null) Resume();
        });
        Command<Resubmit>(_ =>
        {
            if (_state.Done || !_state.Briefed) return;
            // Trials resubmit their own tasks; the fold re-pokes trials it still waits for and its refit.
            foreach (var n in _state.Running) StartTrial(n);
            SubmitTasks();
        });
        Command<StartFold>(s =>
        {
            if (_state.Start is not null)
            {
                _state = _state.Brief(s.Start);
                Resume();
                return;
            }
            Persist(s.Start, e => { _state = _state.Apply(e); Advance(); });
        });
        Command<TrialReport>(r =>
        {
            if (_state.Accept(r.Result) is { } reported) Advance(reported);
        });
        Command<TaskFinished>(f =>
        {
            if (_state.Accept(f.Outcome) is not { } ended) return;
            if (_state.Briefed)
            {
                Advance(ended);
                return;
            }
            // Journalled before briefs (and so before stress tests): the refit's outcome ends the fold.
            Persist(ended, e =>
            {
                _state = _state.Apply(e);
                Publish();
                if (_state.Done) Report();
            });
        });
    }

    /// <summary>Persisting is not allowed while replaying, so recovery continues through a message to itself.</summary>
    protected override void OnReplaySuccess()
    {
        // Only an entity with a journal has something to pick up (a new one would otherwise act twice on its first command).
        if (_state.Start is not null) Self.Tell(Recovered.Instance);
    }

    /// <summary>After a restart or a repeated start: re-poke what may have been lost, then move on.</summary>
    private void Resume()
    {
        // Journalled before briefs: the study's next StartFold brings the search and retries.
        if (!_state.Briefed) return;
        if (_state.Done)
        {
            Report();
            return;
        }
        foreach (var n in _state.Running) StartTrial(n);
        SubmitTasks();
        Publish();
        Advance();
    }

    /// <summary>
    /// Persists <paramref name="reported"/> (a trial's end or rung score, if any) together with what the state then decides
    /// (verdicts at rungs, next trials, the refit), in one journal write.
    /// </summary>
    private void Advance(FoldEvent? reported = null)
    {
        if (!_state.Briefed) return; // journalled before briefs: the study's next StartFold brings them
        _sampler ??= _state.Sampler();
        var decided = (reported is null ? _state : _state.Apply(reported)).Decide(_sampler);
        List<FoldEvent> events = reported is null ? [.. decided] : [reported, .. decided];
        if (!_state.Done) Timers.StartPeriodicTimer("resubmit", Resubmit.Instance, Resubmit.Interval);
        if (events.Count == 0) return;
        var left = events.Count;
        PersistAll(events, e =>
        {
            _state = _state.Apply(e);
            switch (e)
            {
                case TrialStarted t: StartTrial(t.Trial); break;
                case TrialPromoted p: StartTrial(p.Trial); break;
                case RefitStarted: Submit(_state.RefitTask()!); break;
                case RefitFinished when _state.StressTask() is { } stress: Submit(stress); break;
            }
            if (--left == 0)
            {
                Publish();
                if (_state.Done) Report();
            }
        });
    }

    private void StartTrial(int n)
    {
        var s = _state.Start!;
        Regions.Tell(Context, Regions.Trial, TaskAddress.TrialId(s.StudyId, s.Outer, n), new StartTrial(_state.TrialRequest(n)));
    }

    private void Submit(TaskSpec task) => _queue.Tell(new SubmitTask(task, _state.Start!.MaxRetries!.Value));

    /// <summary>The fold's own task it still waits for: its refit, then its stress test (the queue ignores one it already holds).</summary>
    private void SubmitTasks()
    {
        if (_state.RefitOutcome is null && _state.RefitTask() is { } refit) Submit(refit);
        if (_state.StressTask() is { } stress) Submit(stress);
    }

    private void Report()
    {
        Timers.Cancel("resubmit");
        Regions.Tell(Context, Regions.Study, _state.Start!.StudyId, new FoldReport(_state.Result()));
        // The study pokes the folds it has no report of whenever it starts.
        Regions.Passivate(Context);
    }

    private void Publish()
    {
        var s = _state.Start!;
        Context.System.EventStream.Publish(new StudyProgress(s.StudyId, s.Outer, _state.Started.Count, _state.Finished.Count,
            _state.Finished.Values.Count(t => t.Failed), s.Trials, _state.Done));
    }
}
