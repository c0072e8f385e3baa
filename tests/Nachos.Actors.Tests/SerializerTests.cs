using Nachos.Shared.Spec;
using Akka.Actor;
using Akka.Configuration;
using Nachos.Actors.Messages;
using Nachos.Actors.Serialization;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Actors.Tests;

public sealed class SerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("serializer-test", ConfigurationFactory.ParseString("akka.loglevel = ERROR"));
    private readonly NachosSerializer _serializer;

    public SerializerTests() => _serializer = new NachosSerializer((ExtendedActorSystem)_system);

    private static readonly Hyperparameters Config = Hyperparameters.Empty.With("learning_rate", 0.003).With("optimizer", "sgd");
    private static readonly TrainingResult Result = new("s/o0/t1/s0", 4, 7, 0.25,
        new Dictionary<string, double?> { ["auroc"] = 0.91, ["sensitivity"] = null }, new Dictionary<string, double?>(),
        "history.csv", "predictions.csv", 1.5, "cpu0");
    private static readonly TaskSpec Task = TaskSpec.ForSplit("s", 0, 1, 0, Config, 20, 42);
    private static readonly TaskOutcome Outcome = new(Task.TaskId, Result, null, 1);
    private static readonly TaskOutcome Failed = new(Task.TaskId, null, "loss is NaN", 1, FailureKind.Diverged);
    private static readonly TrialResult Trial = new(1, Config, 0.9, 0.01, 4.5, [0.89, 0.91], null);
    private static readonly FoldResult Fold = new(0, 1, Config, 0.9, 0.01, 5, new Dictionary<string, double?> { ["auroc"] = 0.88 }, [Trial], null);

    private static readonly StudyBrief Brief = new([3, 2], new SearchSpec(SamplerKind.Tpe, 8, 2, "auroc",
        [new ParamSpec("learning_rate", ParamKind.LogUniform, 1e-4, 1e-1, [], new Dictionary<string, string>()),
         new ParamSpec("momentum", ParamKind.Categorical, 0, 0, ["0.9", "0.99"], new Dictionary<string, string> { ["optimizer"] = "sgd" })], 3), 20, 42, 2, 0.5);

    /// <summary>One example of every type with a manifest.</summary>
    public static IEnumerable<object[]> Examples() => new object[]
    {
        new StudyStarted("s", 3), new StudyStarted("s", 2, Brief), new FoldReported(Fold), new StudyFinished(true, "complete", new StudyReport("s", true, [Fold], [], [])),
        new ReportAttemptFailed(1, ["outer fold 0: refit test predictions /r/o0/refit/predictions.csv: missing"]),
        new StudyFinished(false, "outer fold 0: refit test predictions /r/o0/refit/predictions.csv: missing",
            new StudyReport("s", false, [Fold], [], [], ["outer fold 0: refit test predictions /r/o0/refit/predictions.csv: missing"])),
        new FoldStarted("s", 0, 8, 2, 3, 20, 42, "auroc", true, 0.5), FoldState.Begin("s", Brief, 1), new TrialStarted(1, Config), new TrialFinished(Trial),
        new TrialRungReached(Trial with { RungEpoch = 2 }, 0), new TrialPromoted(1, 1),
        new RefitStarted(1, Config, 5), new RefitFinished(Outcome), new StressFinished(Outcome), new FoldFailed("why"), FoldState.Begin("s", Brief with { Stress = true }, 0),
        new TrialRequested("s", 0, 1, Config, 3, 20, 42, "auroc"), new TrialRequested("s", 0, 1, Config, 3, 20, 42, "auroc", 2), new SplitFinished(0, Outcome),
        new TaskQueued(Task, 2), new TaskAttemptRecorded(Task.TaskId, "boom", FailureKind.Crashed), new TaskCompleted(Outcome), new TaskCompleted(Failed),
        new QueueSnapshot([new TaskQueued(Task, 2)], new Dictionary<string, int> { [Task.TaskId] = 1 }, [Outcome], [Task], ["s"], ["t"],
            new Dictionary<string, ClosedStudy> { ["u"] = new(70, 5) }),
        new StudyPaused("s"), new StudyResumed("s"), new StudyCancelled("s"), new StudyClosed("s"),
        new CloseStudy("s", "/runs/s"), new TaskStudyClosed(Task.TaskId),
        new ControlStudy("s", StudyControl.Cancel), new StudyControlled("s", StudyControl.Pause, true, false, null),
        new GetStudyTasks("s"), new StudyTasks("s", [new TaskView(Task.TaskId, 0, 1, 0, TaskStates.Succeeded, Config, TaskScores.Of(Result), null, 1)], true, false),
        GetQueueOverview.Instance,
        new QueueOverview([new StudyCounts("s", 1, 2, 3, 4, true, false)], [new DeviceView("akka.tcp://nachos@127.0.0.1:4053", "cpu0", "busy", Task.TaskId, 1.5, 0.25)],
            new Nachos.Shared.Monitoring.HistogramSnapshot([0.001, 0.01], [1, 2, 0], 3, 0.012),
            new Dictionary<string, Nachos.Shared.Monitoring.HistogramSnapshot> { ["succeeded"] = new([1, 10], [0, 1, 0], 1, 2.5) }),
        new DeviceRanTask("cpu0", Task.TaskId, 1, "failed", 1.25, FailureKind.DataError, "boom"),
        new DrainNode("akka.tcp://nachos@127.0.0.1:4053"), new NodeDraining("akka.tcp://nachos@127.0.0.1:4053", ["cpu0"]),
        new ShardEnvelope("s/o0", new StartFold(FoldState.Begin("s", Brief, 0))), new StartStudy("s", Brief), new StartFold(FoldState.Begin("s", Brief, 0)),
        new StartTrial(new TrialRequested("s", 0, 1, Config, 3, 20, 42, "auroc", 2)),
        new StartTrial(new TrialRequested("s", 0, 1, Config, 3, 20, 42, "auroc", 2, Rungs: [2, 6, 18], Rung: 1)), new TrialReport(Trial), new FoldReport(Fold),
        new SubmitTask(Task, 2), new RequestWork("cpu0"), new WorkAssigned(Task, 7, 1), new TaskSucceeded(Task.TaskId, 7, Result),
        new TaskAttemptFailed(Task.TaskId, 7, "boom", FailureKind.Timeout), new TaskInterrupted(Task.TaskId, 7), new LeaseHeartbeat(Task.TaskId, 7, "cpu0"), new LeaseRevoked(Task.TaskId, 7), DrainDevice.Instance, new DeviceDrained("cpu0"), new TaskFinished(Outcome), GetQueueStatus.Instance, new QueueStatus(1, 2, 3, 4, 5),
        new StudyProgress("s", 0, 3, 2, 1, 8, false),
        new StudyCompleted("s", new StudyReport("s", true, [Fold], [new MetricSummary("auroc", [0.88], Intervals.Summarise([0.88, 0.9]), 0.8, 0.95)],
            [new Stability("optimizer", new Dictionary<string, int> { ["sgd"] = 1 })])),
    }.Select(o => new[] { o });

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_message_and_event_round_trips_under_its_manifest(object message)
    {
        var manifest = _serializer.Manifest(message);
        var back = _serializer.FromBinary(_serializer.ToBinary(message), manifest);
        Assert.IsType(message.GetType(), back);
        // Records with collections compare by reference, so compare their serialised forms.
        Assert.Equal(_serializer.ToBinary(message), _serializer.ToBinary(back));
    }

    [Fact]
    public void Every_serialisable_type_has_a_manifest_and_an_example()
    {
        Type[] roots = [typeof(INachosMessage), typeof(StudyEvent), typeof(FoldEvent), typeof(TrialEvent), typeof(QueueEvent), typeof(QueueSnapshot)];
        var types = new[] { typeof(INachosMessage).Assembly, typeof(StudyEvent).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => !t.IsAbstract && !t.IsInterface && roots.Any(r => r.IsAssignableFrom(t)))
            .ToList();
        Assert.NotEmpty(types);
        var missing = types.Where(t => !NachosSerializer.Manifests.Values.Contains(t)).Select(t => t.FullName).ToList();
        Assert.True(missing.Count == 0, "types without a manifest: " + string.Join(", ", missing));
        var examples = Examples().Select(e => e[0].GetType()).ToHashSet();
        Assert.Empty(types.Where(t => !examples.Contains(t)).Select(t => t.FullName));
    }

    [Fact]
    public void A_study_control_is_written_by_name_so_reordering_the_enum_cannot_change_it()
    {
        var json = System.Text.Encoding.UTF8.GetString(_serializer.ToBinary(new ControlStudy("s", StudyControl.Resume)));
        Assert.Contains("\"Resume\"", json);
    }

    [Fact]
    public void Events_written_before_failures_had_a_kind_still_read_and_the_kind_is_written_by_name()
    {
        // As a journal written before the kind existed holds them: the error alone.
        var completed = Assert.IsType<TaskCompleted>(_serializer.FromBinary(
            """{"Outcome":{"TaskId":"s/o0/t1/s0","Result":null,"Error":"InvalidOperationException: task process exited with code 1","Attempts":3}}"""u8.ToArray(),
            "task-completed.v1"));
        Assert.Equal(3, completed.Outcome.Attempts);
        Assert.Null(completed.Outcome.Kind);
        Assert.Equal("s/o0/t1/s0: InvalidOperationException: task process exited with code 1", completed.Outcome.Failure);
        var attempt = Assert.IsType<TaskAttemptRecorded>(_serializer.FromBinary("""{"TaskId":"s/o0/t1/s0","Error":"boom"}"""u8.ToArray(), "task-attempt-failed.v1"));
        Assert.Null(attempt.Kind);
        Assert.True(attempt.Kind.IsTransient()); // retried, as it was when it was written

        var json = System.Text.Encoding.UTF8.GetString(_serializer.ToBinary(new TaskCompleted(Failed)));
        Assert.Contains("\"Kind\":\"diverged\"", json);
        Assert.Equal(FailureKind.OutOfMemory, Assert.IsType<TaskAttemptRecorded>(_serializer.FromBinary(
            """{"TaskId":"t","Error":"e","Kind":"out_of_memory"}"""u8.ToArray(), "task-attempt-failed.v1")).Kind);
    }

    [Fact]
    public void A_brief_is_written_without_its_computed_members_and_a_start_from_before_briefs_reads_without_one()
    {
        using var json = System.Text.Json.JsonDocument.Parse(_serializer.ToBinary(new StartStudy("s", Brief)));
        var brief = json.RootElement.GetProperty("Brief");
        Assert.False(brief.TryGetProperty("Folds", out _));
        Assert.False(brief.GetProperty("Search").TryGetProperty("Maximise", out _));

        var old = Assert.IsType<StudyStarted>(_serializer.FromBinary("""{"StudyId":"s","Folds":3}"""u8.ToArray(), "study-started.v1"));
        Assert.Null(old.Brief);
        var fold = Assert.IsType<FoldStarted>(_serializer.FromBinary(
            """{"StudyId":"s","Outer":0,"Trials":8,"Parallelism":2,"Splits":3,"MaxEpochs":20,"Seed":42,"Metric":"auroc","Maximise":true,"MaxFailedTrials":0.5}"""u8.ToArray(),
            "fold-started.v1"));
        Assert.Equal((null, null), (fold.Search, fold.MaxRetries));
    }

    [Fact]
    public void Manifests_are_unique_and_an_unknown_one_is_refused()
    {
        Assert.Equal(NachosSerializer.Manifests.Count, NachosSerializer.Manifests.Values.Distinct().Count());
        Assert.ThrowsAny<Exception>(() => _serializer.FromBinary("{}"u8.ToArray(), "no-such-manifest.v1"));
        Assert.Throws<ArgumentException>(() => _serializer.Manifest(new object()));
    }

    [Fact]
    public void Prepare_builds_the_metadata_of_every_manifest_type_and_of_the_types_they_hold()
    {
        var prepared = NachosSerializer.Prepare();
        Assert.Empty(NachosSerializer.Manifests.Values.Except(prepared));
        // Held, not journalled on their own: the brief in study-started, its search spec and parameters, a task's result.
        Assert.Contains(typeof(StudyBrief), prepared);
        Assert.Contains(typeof(ParamSpec), prepared);
        Assert.Contains(typeof(SamplerKind), prepared);
        Assert.Contains(typeof(TrainingResult), prepared);
        // The prepared options still read back what they write.
        var back = Assert.IsType<TaskCompleted>(_serializer.FromBinary(_serializer.ToBinary(new TaskCompleted(Outcome)), "task-completed.v1"));
        Assert.Equal(0.91, back.Outcome.Result!.ValidationMetrics["auroc"]);
    }

    public void Dispose() => _system.Dispose();
}
