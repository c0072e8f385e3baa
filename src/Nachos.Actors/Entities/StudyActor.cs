using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Nachos.Actors.Messages;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Actors.Entities;

/// <summary>
/// Study entity (id = study name): starts one outer fold per fold of the plan, collects their results,
/// then writes the report (per-fold test metrics, mean, SD, SE, t-CI, patient-level bootstrap CI,
/// chosen configurations and their stability) and announces it on the event stream. A finished study then has
/// the work queue close it (its task list goes to tasks.json; the queue keeps only its counts).
/// </summary>
public sealed class StudyActor : ReceivePersistentActor, IWithTimers
{
    private readonly IActorRef _queue;
    private readonly IStudyCatalog _catalog;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private StudyState _state = StudyState.Empty;

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>No snapshots are taken, so recovery skips the snapshot-store query (4× faster entity starts on SQLite).</summary>
    public override Recovery Recovery => new(SnapshotSelectionCriteria.None);

    public StudyActor(string entityId, IActorRef queue, IStudyCatalog catalog)
    {
        PersistenceId = "study-" + entityId;
        _queue = queue;
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
        Command<RetryReportNow>(_ =>
        {
            if (_state.AllReported && _state.Finish is null) Continue();
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
            var runDir = _catalog.Get(id).RunDir;
            if (!File.Exists(RunLayout.ReportPath(runDir)) && StudyReports.Write(stored, runDir) is var written && !ReferenceEquals(written, stored))
                _log.Error("study {0}: {1}", id, written.Problems![^1]);
            Context.System.EventStream.Publish(new StudyCompleted(id, stored));
            _queue.Tell(new CloseStudy(id, runDir));
            Regions.Passivate(Context);
            return;
        }
        // A start or a recovery while a retry waits leaves the wait alone.
        if (Timers.IsTimerActive(RetryReportNow.Instance)) return;
        var context = _catalog.Get(id);
        var report = StudyReports.Build(context, _state.Folds.Values.ToList());
        if (report.Problems is null) report = StudyReports.Write(report, context.RunDir);
        switch (_state.DecideReport(report))
        {
            case RetryReport retry:
                Persist(retry.Failed, e =>
                {
                    _state = _state.Apply(e);
                    _log.Warning("study {0}: report attempt {1} of {2} met problems, retrying in {3} s: {4}", id, e.Attempt,
                        StudyState.MaxReportAttempts, retry.After.TotalSeconds, string.Join("; ", e.Problems));
                    Timers.StartSingleTimer(RetryReportNow.Instance, RetryReportNow.Instance, retry.After);
                });
                break;
            case FinishStudy finish:
                // A report with problems is written once it is final (one without was written above).
                var final = report.Problems is null ? report : StudyReports.Write(report, context.RunDir);
                Persist(finish.Finished with { Report = final }, e =>
                {
                    _state = _state.Apply(e);
                    Context.System.EventStream.Publish(new StudyCompleted(id, final));
                    _queue.Tell(new CloseStudy(id, context.RunDir));
                    Regions.Passivate(Context);
                });
                break;
        }
    }

    /// <summary>Time for the next attempt at the report.</summary>
    private sealed class RetryReportNow
    {
        public static readonly RetryReportNow Instance = new();
    }
}
