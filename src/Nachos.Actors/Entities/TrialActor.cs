using Akka.Actor;
using Akka.Persistence;
using Nachos.Actors.Messages;
using Nachos.Shared.Study;

namespace Nachos.Actors.Entities;

/// <summary>Trial entity (id study/o{k}/t{n}): one task per inner split; reports mean ± SE to its outer fold.</summary>
public sealed class TrialActor : ReceivePersistentActor
{
    private readonly IActorRef _queue;
    private readonly IStudyCatalog _catalog;
    private TrialState _state = TrialState.Empty;

    public override string PersistenceId { get; }

    public TrialActor(string entityId, IActorRef queue, IStudyCatalog catalog)
    {
        PersistenceId = "trial-" + entityId;
        _queue = queue;
        _catalog = catalog;
        Recover<TrialEvent>(e => _state = _state.Apply(e));
        Command<StartTrial>(s =>
        {
            if (_state.Request is null) Persist(s.Request, e => { _state = _state.Apply(e); Continue(); });
            else Continue();
        });
        Command<TaskFinished>(f =>
        {
            var task = _state.Tasks().FirstOrDefault(t => t.TaskId == f.Outcome.TaskId);
            if (task is null || _state.Splits.ContainsKey(task.Inner!.Value)) return;
            Persist(new SplitFinished(task.Inner.Value, f.Outcome), e => { _state = _state.Apply(e); Continue(); });
        });
    }

    protected override void OnReplaySuccess()
    {
        if (_state.Request is not null) Continue();
    }

    /// <summary>Submits what is missing (idempotent), or reports when done (the fold ignores repeats).</summary>
    private void Continue()
    {
        if (_state.Done)
        {
            var r = _state.Request!;
            Regions.Tell(Context, Regions.Fold, Ids.Fold(r.StudyId, r.Outer), new TrialReport(_state.Result()));
            return;
        }
        var retries = _catalog.Get(_state.Request!.StudyId).Spec.Execution.MaxRetries;
        foreach (var task in _state.Pending()) _queue.Tell(new SubmitTask(task, retries));
    }
}
