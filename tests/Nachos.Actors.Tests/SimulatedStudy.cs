using Akka.Actor;
using Nachos.Actors.Devices;
using Nachos.Actors.Entities;
using Nachos.Actors.Messages;
using Nachos.Actors.Node;
using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Shared.SpecLoading;

namespace Nachos.Actors.Tests;

/// <summary>A study on a manifest-only dataset (no images) with the simulated trainer, and a way to run it on a real embedded node.</summary>
public sealed class SimulatedStudy : IDisposable
{
    private readonly TempDir _dir = new();

    public SimulatedStudy(int trials = 12, int parallelism = 3, double failureRate = 0, string sampler = "tpe", double secondsPerEpoch = 0, int patients = 40, bool deploy = false,
        string? scheduler = null, string? extra = null)
    {
        var rng = new Random(5);
        var rows = Enumerable.Range(0, patients).SelectMany(p =>
            Enumerable.Range(0, 1 + p % 3).Select(i => $"p{p}_{i}.png,{(p % 2 == 0 ? "normal" : "lesion")},P{p}"));
        _dir.Write("data/manifest.csv", "image,label,patient\n" + string.Join("\n", rows) + "\n");
        var specPath = _dir.Write("spec.yaml", $$"""
            name: sim
            seed: 9
            task: binary
            dataset: { manifest: data/manifest.csv, classes: [normal, lesion], group_column: patient }
            split: { scheme: kfold, outer_folds: 3, inner_folds: 2 }
            training: { max_epochs: 20 }
            search:
              sampler: {{sampler}}
              trials: {{trials}}
              parallelism: {{parallelism}}
              {{(scheduler is null ? "" : $"scheduler: {scheduler}")}}
              space:
                learning_rate: { type: log-uniform, low: 0.00001, high: 0.1 }
                optimizer: { type: categorical, values: [adam, sgd] }
                momentum: { type: uniform, low: 0.5, high: 0.99, when: { optimizer: sgd } }
            execution:
              trainer: simulated
              max_retries: 1
              max_failed_trials: 0.9
              simulated: { seconds_per_epoch: {{secondsPerEpoch.ToString(System.Globalization.CultureInfo.InvariantCulture)}}, failure_rate: {{failureRate.ToString(System.Globalization.CultureInfo.InvariantCulture)}} }
            {{(deploy ? "deploy: { final: all-data }" : "")}}
            {{extra ?? ""}}
            """);
        Spec = SpecLoader.LoadFile(specPath);
        Manifest = CsvManifestReader.Read(Spec.Dataset, Spec.Task);
        Plan = SplitPlanner.Plan(Manifest, Spec.Split, Spec.Seed, Spec.Deploy is not null);
    }

    public StudySpec Spec { get; }
    public Manifest Manifest { get; }
    public SplitPlan Plan { get; }

    public StudyContext Context(string runDir) => new(Spec, Plan, Manifest, runDir);

    public string RunDir(string name) => _dir.File(name);

    /// <summary>Starts a node on the run directory, starts the study, and returns the node and the report to come.</summary>
    public async Task<(NachosNode Node, Task<StudyReport> Report, Func<int> Progress)> Start(string runDir, int devices, string? overrides = null)
    {
        var context = Context(runDir);
        var catalog = new SingleStudyCatalog(context);
        var node = await NachosNode.StartEmbedded(runDir, catalog, new SimulatedExecutor(catalog), devices, overrides);
        var done = new TaskCompletionSource<StudyReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = 0;
        node.Listen(Props.Create(() => new Listener(done, () => Interlocked.Increment(ref finished))), null, typeof(StudyCompleted), typeof(StudyProgress));
        node.Tell(Spec.Name, new StartStudy(Spec.Name, context.Brief));
        return (node, done.Task, () => Volatile.Read(ref finished));
    }

    public async Task<StudyReport> Run(string runDir, int devices, string? overrides = null)
    {
        var (node, report, _) = await Start(runDir, devices, overrides);
        await using (node) return await report.WaitAsync(TimeSpan.FromMinutes(3));
    }

    public void Dispose() => _dir.Dispose();

    private sealed class Listener : ReceiveActor
    {
        public Listener(TaskCompletionSource<StudyReport> done, Action trialFinished)
        {
            Receive<StudyCompleted>(c => done.TrySetResult(c.Report));
            Receive<StudyProgress>(_ => trialFinished());
        }
    }
}
