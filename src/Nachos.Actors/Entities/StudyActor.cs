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
    private bool _building;

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
                Persist(new StudyStarted(s.StudyId, s.Brief.Folds, s.Brief), e => { _state = _state.Apply(e); Continue(); });
            else
            {
                _state = _state.Brief(s.Brief);
                Continue();
            }
        });
        Command<RetryReportNow>(_ =>
        {
            if (_state.AllReported && _state.Finish is null) Continue();
        });
        Command<FoldReport>(r =>
        {
            if (_state.Accept(r.Result) is { } reported) Persist(reported, e => { _state = _state.Apply(e); Continue(); });
        });
        Command<ReportBuilt>(Decide);
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
        switch (_state.Decide())
        {
            case AwaitStudyBrief:
                // Journalled before briefs: the next StartStudy (the node's study watcher sends one every few seconds) brings it.
                break;
            case StartFolds start:
                foreach (var fold in start.Folds) Regions.Tell(Context, Regions.Fold, TaskAddress.FoldId(id, fold.Outer), new StartFold(fold));
                break;
            case RepublishReport stored:
                // Built once; later starts republish it and restore its files if they were removed.
                var runDir = _catalog.RunDirectory(id);
                if (!File.Exists(RunLayout.ReportPath(runDir)) && StudyReports.Write(stored.Report, runDir) is var written && !ReferenceEquals(written, stored.Report))
                    _log.Error("study {0}: {1}", id, written.Problems![^1]);
                Context.System.EventStream.Publish(new StudyCompleted(id, stored.Report));
                _queue.Tell(new CloseStudy(id, runDir));
                Regions.Passivate(Context);
                break;
            case BuildReport:
                // A start or a recovery while a retry waits, or while a build runs, leaves it alone.
                if (_building || Timers.IsTimerActive(RetryReportNow.Instance)) return;
                _building = true;
                var catalog = _catalog;
                var folds = _state.Folds.Values.ToList();
                var state = _state;
                // Loading the study, reading every refit's predictions and writing the report is file work: off the actor's thread.
                Task.Run(() => StudyReports.Attempt(catalog, id, folds, state)).PipeTo(Self, success: a => new ReportBuilt(state.ReportAttempts + 1, a.Report, a.Decision));
                break;
        }
    }

    private void Decide(ReportBuilt built)
    {
        _building = false;
        // A build started by an earlier incarnation or attempt is stale.
        if (_state.Finish is not null || built.Attempt != _state.ReportAttempts + 1) return;
        var id = _state.Start!.StudyId;
        switch (built.Decision)
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
                Persist(finish.Finished with { Report = built.Report }, e =>
                {
                    _state = _state.Apply(e);
                    Context.System.EventStream.Publish(new StudyCompleted(id, built.Report));
                    _queue.Tell(new CloseStudy(id, _catalog.RunDirectory(id)));
                    Regions.Passivate(Context);
                });
                break;
        }
    }

    /// <summary>A report built (and written) off the actor's thread, with what the state decided about it.</summary>
    private sealed record ReportBuilt(int Attempt, StudyReport Report, ReportDecision Decision);

    /// <summary>Time for the next attempt at the report.</summary>
    private sealed class RetryReportNow
    {
        public static readonly RetryReportNow Instance = new();
    }
}
