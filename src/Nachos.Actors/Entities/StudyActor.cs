using Akka.Actor;
using Akka.Persistence;
using Nachos.Actors.Messages;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Actors.Entities;

/// <summary>
/// Study entity (id = study name): starts one outer fold per fold of the plan, collects their results,
/// then writes the report (per-fold test metrics, mean, SD, SE, t-CI, patient-level bootstrap CI,
/// chosen configurations and their stability) and announces it on the event stream.
/// </summary>
public sealed class StudyActor : ReceivePersistentActor
{
    private readonly IStudyCatalog _catalog;
    private StudyState _state = StudyState.Empty;

    public override string PersistenceId { get; }

    /// <summary>No snapshots are taken, so recovery skips the snapshot-store query (4× faster entity starts on SQLite).</summary>
    public override Recovery Recovery => new(SnapshotSelectionCriteria.None);

    public StudyActor(string entityId, IStudyCatalog catalog)
    {
        PersistenceId = "study-" + entityId;
        _catalog = catalog;
        Recover<StudyEvent>(e => _state = _state.Apply(e));
        Command<StopEntity>(_ => Context.Stop(Self));
        Command<Recovered>(_ =>
        {
            if (_state.Start is not null) Continue();
        });
        Command<StartStudy>(s =>
        {
            if (_state.Start is null)
                Persist(new StudyStarted(s.StudyId, _catalog.Get(s.StudyId).Plan.Outer.Count), e => { _state = _state.Apply(e); Continue(); });
            else Continue();
        });
        Command<FoldReport>(r =>
        {
            if (_state.Start is null || _state.Folds.ContainsKey(r.Result.Outer)) return;
            Persist(new FoldReported(r.Result), e => { _state = _state.Apply(e); Continue(); });
        });
    }

    /// <summary>Persisting is not allowed while replaying, so recovery continues through a message to itself.</summary>
    protected override void OnReplaySuccess()
    {
        // Only an entity with a journal has something to pick up (a new one would otherwise act twice on its first command).
        if (_state.Start is not null) Self.Tell(Recovered.Instance);
    }

    private void Continue()
    {
        var id = _state.Start!.StudyId;
        if (!_state.AllReported)
        {
            for (var k = 0; k < _state.Start.Folds; k++)
                if (!_state.Folds.ContainsKey(k)) Regions.Tell(Context, Regions.Fold, TaskAddress.FoldId(id, k), new StartFold(id, k));
            return;
        }
        if (_state.Finish?.Report is { } stored)
        {
            // Built once; later starts republish it and restore its files if they were removed.
            if (!File.Exists(RunLayout.ReportPath(_catalog.Get(id).RunDir))) stored.Write(_catalog.Get(id).RunDir);
            Context.System.EventStream.Publish(new StudyCompleted(id, stored));
            Regions.Passivate(Context);
            return;
        }
        var report = StudyReports.BuildAndWrite(_catalog.Get(id), _state.Folds.Values.ToList());
        var failed = report.Folds.Where(f => f.Failure is not null).Select(f => $"outer fold {f.Outer}: {f.Failure}").ToList();
        Persist(new StudyFinished(failed.Count == 0, failed.Count == 0 ? "complete" : string.Join("; ", failed), report), e =>
        {
            _state = _state.Apply(e);
            Context.System.EventStream.Publish(new StudyCompleted(id, report));
            Regions.Passivate(Context);
        });
    }
}
