using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Nachos.Actors.Entities;
using Nachos.Actors.Messages;
using Nachos.Actors.Node;
using Nachos.Actors.Queue;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using TestKit = Akka.TestKit.Xunit2.TestKit;

namespace Nachos.Actors.Tests;

/// <summary>
/// One entity at a time on a TestKit actor system with its own SQLite journal file: the entity is stopped
/// and started again under the same persistence id, and what it does next shows what it recovered.
/// Probes stand in for the entities and devices around it (behind a real shard region where the entity
/// addresses others by id).
/// </summary>
public sealed class EntityRecoveryTests : TestKit
{
    private static readonly Hyperparameters Config = Hyperparameters.Empty.With("learning_rate", 0.01).With("optimizer", "adam");
    private readonly TempDir _dir;

    public EntityRecoveryTests() : this(new TempDir())
    {
    }

    private EntityRecoveryTests(TempDir dir) : base(Setup(dir)) => _dir = dir;

    private static ActorSystemSetup Setup(TempDir dir)
    {
        var journal = dir.File("journal.db");
        // A cold SQLite journal (linq2db's first queries) can take seconds on a loaded machine.
        var config = NodeConfig.Build(new NodeOptions { WorkDir = dir.Path, Overrides = "akka.test.single-expect-default = 15s" }, journal);
        // Its transport authenticates peers as every node's does.
        return ClusterTls.Setup(config, CampaignKey.LoadOrCreate(CampaignKey.DefaultPath(dir.Path), mayCreate: true)).And(SqliteJournalOptions.Create(journal));
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        _dir.Dispose();
    }

    private void Restart(ref IActorRef entity, Func<Props> props)
    {
        Watch(entity);
        Sys.Stop(entity);
        ExpectTerminated(entity);
        entity = Sys.ActorOf(props());
    }

    /// <summary>Stands in for the entities of a shard region: passes every message on to a probe.</summary>
    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef to) => ReceiveAny(m => to.Tell(m, Sender));
    }

    /// <summary>Joins this system as a one-node cluster and starts shard regions whose entities forward to the given probes.</summary>
    private async Task RegionsTo(params (string Region, IActorRef To)[] regions)
    {
        var cluster = Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == MemberStatus.Up, TimeSpan.FromSeconds(20));
        foreach (var (region, to) in regions)
            await ClusterSharding.Get(Sys).StartAsync(region, _ => Props.Create(() => new Forwarder(to)), ClusterShardingSettings.Create(Sys), new EnvelopeExtractor(30));
    }

    private static T[] Receive<T>(Akka.TestKit.TestProbe probe, int count) =>
        Enumerable.Range(0, count).Select(_ => probe.ExpectMsg<T>(TimeSpan.FromSeconds(10))).ToArray();

    private static TrainingResult Result(string taskId) =>
        new(taskId, 3, 4, 0.4, new Dictionary<string, double?> { ["auroc"] = 0.8 }, new Dictionary<string, double?>(), "history.csv", "predictions.csv", 0.2, "cpu0");

    [Fact]
    public void A_trial_recovers_its_request_and_resubmits_its_unfinished_splits_by_itself()
    {
        using var study = new SimulatedStudy();
        var retries = study.Spec.Execution.MaxRetries;
        var queue = CreateTestProbe();
        Props Trial() => Props.Create<TrialActor>("sim/o0/t1", queue.Ref);
        var trial = Sys.ActorOf(Trial());

        trial.Tell(new StartTrial(new TrialRequested("sim", 0, 1, Config, 2, 20, 42, "auroc", retries)));
        var submitted = new[] { queue.ExpectMsg<SubmitTask>(), queue.ExpectMsg<SubmitTask>() };
        Assert.Equal(["sim/o0/t1/s0", "sim/o0/t1/s1"], submitted.Select(s => s.Task.TaskId).Order());
        Assert.All(submitted, s => Assert.Equal(study.Spec.Execution.MaxRetries, s.MaxRetries));

        Restart(ref trial, Trial);
        // Told nothing: the request came back from the journal, and the same tasks go to the queue again.
        var again = new[] { queue.ExpectMsg<SubmitTask>(), queue.ExpectMsg<SubmitTask>() };
        Assert.Equal(submitted.Select(s => s.Task).OrderBy(t => t.TaskId), again.Select(s => s.Task).OrderBy(t => t.TaskId));
        queue.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        // A second start of the same trial (a fold resending it) changes nothing but a resubmission.
        trial.Tell(new StartTrial(new TrialRequested("sim", 0, 1, Config.With("learning_rate", 0.5), 2, 20, 42, "auroc", retries + 3)));
        var resent = new[] { queue.ExpectMsg<SubmitTask>(), queue.ExpectMsg<SubmitTask>() };
        Assert.All(resent, s => Assert.Equal(("0.01", retries), (s.Task.Hyperparameters.Values["learning_rate"], s.MaxRetries)));
    }

    [Fact]
    public void A_trial_journalled_before_briefs_submits_when_its_fold_sends_the_request_again()
    {
        var queue = CreateTestProbe();
        Props Trial() => Props.Create<TrialActor>("sim/o0/t1", queue.Ref);
        var trial = Sys.ActorOf(Trial());
        var old = new TrialRequested("sim", 0, 1, Config, 2, 20, 42, "auroc");

        trial.Tell(new StartTrial(old));
        queue.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        Restart(ref trial, Trial);
        queue.ExpectNoMsg(TimeSpan.FromMilliseconds(500));

        trial.Tell(new StartTrial(old with { MaxRetries = 4 }));
        var submitted = new[] { queue.ExpectMsg<SubmitTask>(), queue.ExpectMsg<SubmitTask>() };
        Assert.Equal(["sim/o0/t1/s0", "sim/o0/t1/s1"], submitted.Select(s => s.Task.TaskId).Order());
        Assert.All(submitted, s => Assert.Equal(4, s.MaxRetries));
    }

    [Fact]
    public async Task The_work_queue_recovers_its_queued_and_completed_tasks_and_answers_a_resubmitted_finished_task_from_its_journal()
    {
        var trials = CreateTestProbe(); // the trials that own the tasks, reached through their shard region
        await RegionsTo((Regions.Trial, trials.Ref));
        var device = CreateTestProbe();
        Props Queue() => Props.Create<WorkQueueActor>();
        var queue = Sys.ActorOf(Queue());
        var first = TaskSpec.ForSplit("sim", 0, 0, 0, Config, 5, 1);
        var second = TaskSpec.ForSplit("sim", 0, 0, 1, Config, 5, 2);
        queue.Tell(new SubmitTask(first, 1));
        queue.Tell(new SubmitTask(second, 1));
        queue.Tell(new RequestWork("cpu0"), device.Ref);
        var work = device.ExpectMsg<WorkAssigned>(TimeSpan.FromSeconds(10));
        queue.Tell(new TaskSucceeded(work.Task.TaskId, work.Lease, Result(work.Task.TaskId)), device.Ref);
        var finished = trials.ExpectMsg<TaskFinished>(TimeSpan.FromSeconds(10));
        Assert.Equal(work.Task.TaskId, finished.Outcome.TaskId);

        Restart(ref queue, Queue);
        queue.Tell(new SubmitTask(work.Task, 1));
        var answered = trials.ExpectMsg<TaskFinished>(TimeSpan.FromSeconds(10));
        Assert.Equal(finished.Outcome.TaskId, answered.Outcome.TaskId);
        string Json(TrainingResult? r) => System.Text.Json.JsonSerializer.Serialize(r, Serialization.NachosSerializer.Json);
        Assert.Equal(Json(finished.Outcome.Result), Json(answered.Outcome.Result)); // the journalled result, metrics included
        Assert.Equal(1, answered.Outcome.Attempts);

        // Only the task still queued is handed out; the finished one is never run again.
        var newDevice = CreateTestProbe();
        queue.Tell(new RequestWork("cpu0"), newDevice.Ref);
        var next = newDevice.ExpectMsg<WorkAssigned>(TimeSpan.FromSeconds(10));
        Assert.NotEqual(work.Task.TaskId, next.Task.TaskId);
        Assert.Contains(next.Task.TaskId, new[] { first.TaskId, second.TaskId });
        newDevice.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        queue.Tell(GetQueueStatus.Instance, TestActor);
        var status = ExpectMsg<QueueStatus>();
        Assert.Equal((0, 1, 1), (status.Pending, status.Running, status.Completed));
    }

    [Fact]
    public async Task An_outer_fold_recovers_its_search_and_re_pokes_only_the_trials_still_running()
    {
        using var study = new SimulatedStudy(trials: 12, parallelism: 3);
        var catalog = new SingleStudyCatalog(study.Context(_dir.File("run")));
        var trials = CreateTestProbe();
        await RegionsTo((Regions.Trial, trials.Ref), (Regions.Study, CreateTestProbe().Ref));
        var queue = CreateTestProbe();
        Props Fold() => Props.Create<FoldActor>("sim/o0", queue.Ref);
        var fold = Sys.ActorOf(Fold());

        fold.Tell(new StartFold(FoldState.Begin("sim", catalog.Get("sim").Brief, 0)));
        var started = Receive<StartTrial>(trials, 3).ToDictionary(t => t.Request.Trial, t => t.Request.Config);
        Assert.Equal([0, 1, 2], started.Keys.Order());
        fold.Tell(new TrialReport(new TrialResult(0, started[0], 0.8, 0.01, 3, [0.79, 0.81], null)));
        var fourth = trials.ExpectMsg<StartTrial>(TimeSpan.FromSeconds(10)).Request;
        Assert.Equal(3, fourth.Trial);
        started[3] = fourth.Config;

        Restart(ref fold, Fold);
        // Told nothing: it re-pokes trials 1–3 with the configurations its sampler chose before, and starts nothing new.
        var poked = Receive<StartTrial>(trials, 3).ToDictionary(t => t.Request.Trial, t => t.Request.Config);
        Assert.Equal([1, 2, 3], poked.Keys.Order());
        Assert.All(poked, kv => Assert.Equal(started[kv.Key], kv.Value));
        trials.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        queue.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // no refit before the search has ended
    }

    [Fact]
    public async Task An_outer_fold_journalled_before_briefs_waits_for_its_study_to_bring_the_search_and_retries()
    {
        using var study = new SimulatedStudy(trials: 12, parallelism: 3);
        var brief = study.Context(_dir.File("run")).Brief;
        var trials = CreateTestProbe();
        await RegionsTo((Regions.Trial, trials.Ref), (Regions.Study, CreateTestProbe().Ref));
        var queue = CreateTestProbe();
        Props Fold() => Props.Create<FoldActor>("sim/o0", queue.Ref);
        var fold = Sys.ActorOf(Fold());

        // What an earlier build journalled: the start without the search settings and the retries.
        fold.Tell(new StartFold(FoldState.Begin("sim", brief, 0) with { Search = null, MaxRetries = null }));
        trials.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        Restart(ref fold, Fold);
        trials.ExpectNoMsg(TimeSpan.FromMilliseconds(500));

        fold.Tell(new StartFold(FoldState.Begin("sim", brief, 0)));
        var started = Receive<StartTrial>(trials, 3).Select(t => t.Request).ToList();
        Assert.Equal([0, 1, 2], started.Select(r => r.Trial).Order());
        Assert.All(started, r => Assert.Equal(brief.MaxRetries, r.MaxRetries));
    }

    [Fact]
    public async Task A_study_recovers_its_reported_folds_and_restarts_only_the_others()
    {
        using var study = new SimulatedStudy();
        var catalog = new SingleStudyCatalog(study.Context(_dir.File("run")));
        var folds = CreateTestProbe();
        await RegionsTo((Regions.Fold, folds.Ref));
        var queue = CreateTestProbe();
        Props Study() => Props.Create<StudyActor>("sim", queue.Ref, catalog);
        var entity = Sys.ActorOf(Study());

        entity.Tell(new StartStudy("sim", catalog.Get("sim").Brief));
        Assert.Equal([0, 1, 2], Receive<StartFold>(folds, 3).Select(f => f.Start.Outer).Order());
        var trial = new TrialResult(1, Config, 0.9, 0.01, 4.5, [0.89, 0.91], null);
        entity.Tell(new FoldReport(new FoldResult(0, 1, Config, 0.9, 0.01, 5, new Dictionary<string, double?> { ["auroc"] = 0.88 }, [trial], null)));
        Assert.Equal([1, 2], Receive<StartFold>(folds, 2).Select(f => f.Start.Outer).Order());

        Restart(ref entity, Study);
        Assert.Equal([1, 2], Receive<StartFold>(folds, 2).Select(f => f.Start.Outer).Order());
        folds.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }
}
