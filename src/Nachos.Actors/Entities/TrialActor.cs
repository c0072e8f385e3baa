using Akka.Actor;
using Akka.Persistence;
using Nachos.Actors.Messages;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Actors.Entities;

/// <summary>
/// Trial entity (id study/o{k}/t{n}): one task per inner split; reports mean ± SE to its outer fold. It
/// journals its request only; split outcomes come from the queue, again after a restart.
/// </summary>
public sealed class TrialActor : ReceivePersistentActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;

    private readonly IActorRef _queue;
    private TrialState _state = TrialState.Empty;

    public override string PersistenceId { get; }

    /// <summary>No snapshots are taken, so recovery skips the snapshot-store query (4× faster entity starts on SQLite).</summary>
    public override Recovery Recovery => new(SnapshotSelectionCriteria.None);

    public TrialActor(string entityId, IActorRef queue)
    {
        PersistenceId = "trial-" + entityId;
        _queue = queue;
        Recover<TrialEvent>(e => _state = _state.Apply(e));
        Command<StopEntity>(_ => Context.Stop(Self));
        Command<TaskStudyClosed>(_ =>
        {
            // The study finished without this trial (its fold failed): nothing waits for it.
            Timers.Cancel("resubmit");
            Regions.Passivate(Context);
        });
        Command<Recovered>(_ =>
        {
            if (_state.Request is not null) Continue();
        });
        Command<Resubmit>(_ =>
        {
            if (_state.Request is not null && _state.Decide() is SubmitSplits submit) Submit(submit);
        });
        Command<StartTrial>(s =>
        {
            if (_state.Request is null) Persist(s.Request, e => { _state = _state.Apply(e); Continue(); });
            else
            {
                _state = _state.Brief(s.Request);
                Continue();
            }
        });
        Command<TaskFinished>(f =>
        {
            if (_state.Request is null || _state.Accept(f.Outcome) is not { } split) return;
            // Not persisted: the queue journals every outcome and answers a resubmission after a restart
            // with it, so a trial's journal holds only its request (one write per task fewer).
            _state = _state.Apply(split);
            if (_state.Done) Continue();
        });
    }

    /// <summary>Persisting is not allowed while replaying, so recovery continues through a message to itself.</summary>
    protected override void OnReplaySuccess()
    {
        // Only an entity with a journal has something to pick up (a new one would otherwise act twice on its first command).
        if (_state.Request is not null) Self.Tell(Recovered.Instance);
    }

    /// <summary>Submits what is missing (idempotent), or reports when done (the fold ignores repeats).</summary>
    private void Continue()
    {
        switch (_state.Decide())
        {
            case ReportTrial report:
                Timers.Cancel("resubmit");
                var r = _state.Request!;
                Regions.Tell(Context, Regions.Fold, TaskAddress.FoldId(r.StudyId, r.Outer), new TrialReport(report.Result));
                // Should the report be lost, the fold's resubmit timer starts this trial again.
                Regions.Passivate(Context);
                break;
            case AwaitTrialBrief:
                // Journalled before briefs: the fold's resubmit timer sends the request again, with its retries.
                break;
            case SubmitSplits submit:
                Submit(submit);
                Timers.StartPeriodicTimer("resubmit", Resubmit.Instance, Resubmit.Interval);
                break;
        }
    }

    private void Submit(SubmitSplits submit)
    {
        foreach (var task in submit.Tasks) _queue.Tell(new SubmitTask(task, submit.MaxRetries));
    }
}
