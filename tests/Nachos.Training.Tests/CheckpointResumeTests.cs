using Nachos.Shared.Tasks;
using Nachos.Shared.Study;
using Nachos.Training.Engine;
using TorchSharp;

namespace Nachos.Training.Tests;

public sealed class CheckpointResumeTests(SmallStudy study) : IClassFixture<SmallStudy>
{
    private TrainingTask Task(string dir, int seed = 11) => new(
        "small/o0/s0", study.Plan.Outer[0].Inner[0].Train, study.Plan.Outer[0].Inner[0].Validation, study.Plan.Outer[0].Test,
        Hyperparameters.Empty, 4, seed, dir);

    private static Dictionary<string, float[]> Weights(string modelPath, SmallStudy s)
    {
        using var model = Models.ModelFactory.Create(s.Spec.Model, s.Spec.Image, 2, 0);
        model.load(modelPath);
        return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.to_type(torch.ScalarType.Float32).data<float>().ToArray());
    }

    private static void AssertSameWeights(Dictionary<string, float[]> a, Dictionary<string, float[]> b)
    {
        Assert.Equal(a.Keys.OrderBy(k => k), b.Keys.OrderBy(k => k));
        foreach (var (name, values) in a) Assert.True(values.SequenceEqual(b[name]), $"tensor {name} differs");
    }

    [Theory]
    [InlineData("none")]
    [InlineData("strong")]
    public void Interrupted_mid_epoch_and_resumed_ends_with_the_same_weights_and_history(string policy)
    {
        using var dir = new TempDir();
        var spec = study.Spec with
        {
            Training = study.Spec.Training with
            {
                Augmentation = study.Spec.Training.Augmentation with { Policy = Nachos.Shared.Spec.SpecNames.AugmentationPolicies[policy] },
            },
        };
        var trainer = new Trainer(spec, study.Data);
        var straight = trainer.Run(Task(dir.File("straight")));

        // Stop in the middle of epoch 2 (after its second batch), then resume with a new trainer.
        using var cancel = new CancellationTokenSource();
        var interrupted = Task(dir.File("interrupted"));
        Assert.Throws<OperationCanceledException>(() => new Trainer(spec, study.Data).Run(interrupted, p =>
        {
            if (p.Epoch == 1 && p.Batch == 2 && p.Completed is null) cancel.Cancel();
        }, cancel.Token));
        var state = new Checkpoint(interrupted.Directory).Load();
        Assert.Equal(1, state.Epoch);
        Assert.Equal(2, state.NextBatch);
        Assert.False(File.Exists(Path.Combine(interrupted.Directory, RunLayout.Metrics)));

        var resumed = new Trainer(spec, study.Data).Run(interrupted);

        AssertSameWeights(Weights(Path.Combine(dir.File("straight"), "model.pt"), study), Weights(Path.Combine(interrupted.Directory, "model.pt"), study));
        Assert.Equal(straight.BestEpoch, resumed.BestEpoch);
        Assert.Equal(straight.ValidationLoss, resumed.ValidationLoss);
        Assert.Equal(straight.TestMetrics["auroc"], resumed.TestMetrics["auroc"]);
        var lossesA = File.ReadAllLines(Path.Combine(dir.File("straight"), RunLayout.History)).Select(l => string.Join(",", l.Split(',')[..^1]));
        var lossesB = File.ReadAllLines(Path.Combine(interrupted.Directory, RunLayout.History)).Select(l => string.Join(",", l.Split(',')[..^1]));
        Assert.Equal(lossesA, lossesB);
    }

    [Fact]
    public void A_rung_of_two_epochs_then_its_continuation_equals_the_training_run_straight_through()
    {
        using var dir = new TempDir();
        TrainingTask Split(string id, string folder, int? budget) => new(
            id, study.Plan.Outer[0].Inner[0].Train, study.Plan.Outer[0].Inner[0].Validation, [], Hyperparameters.Empty, 4, 11, dir.File(folder), budget);
        var straight = new Trainer(study.Spec, study.Data).Run(Split("small/o0/t0/s0", "straight", null));

        var rung = new Trainer(study.Spec, study.Data).Run(Split("small/o0/t0/s0/e2", "scheduled", 2));
        Assert.Equal(2, rung.EpochsRun);
        Assert.Equal(2, new Checkpoint(dir.File("scheduled")).Load().Epoch);
        // Promoted: the full training (its own task id) continues the rung's checkpoint, running epochs 3 and 4 only.
        var epochs = new List<int>();
        var continued = new Trainer(study.Spec, study.Data).Run(Split("small/o0/t0/s0", "scheduled", null),
            p => { if (p.Completed is { } e) epochs.Add(e.Epoch); });

        Assert.Equal(Enumerable.Range(3, straight.EpochsRun - 2), epochs);
        Assert.Equal(4, straight.EpochsRun);
        Assert.Equal(straight.EpochsRun, continued.EpochsRun);
        Assert.Equal(straight.BestEpoch, continued.BestEpoch);
        Assert.Equal(straight.ValidationLoss, continued.ValidationLoss);
        AssertSameWeights(Weights(Path.Combine(dir.File("straight"), "model.pt"), study), Weights(Path.Combine(dir.File("scheduled"), "model.pt"), study));
        // The validation curves: every epoch from the first, the rung's the continued run's beginning, as history.csv has them.
        Assert.Equal(straight.Curve("auroc"), continued.Curve("auroc"));
        Assert.Equal(straight.Curve("loss"), continued.Curve("loss"));
        Assert.Equal(rung.Curve("auroc"), continued.Curve("auroc")!.Take(2));
        var history = File.ReadAllLines(Path.Combine(dir.File("scheduled"), RunLayout.History)).Select(l => l.Split(',')).ToList();
        foreach (var (column, metric) in new[] { ("val_auroc", "auroc"), ("val_loss", "loss") })
        {
            var i = Array.IndexOf(history[0], column);
            Assert.True(i >= 0, $"history.csv has no {column}");
            var logged = history.Skip(1).Select(r => double.Parse(r[i], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(logged.Count, continued.Curve(metric)!.Count);
            Assert.All(logged.Zip(continued.Curve(metric)!), p => Assert.Equal(p.First, p.Second!.Value, 5));
        }
        // Another training's checkpoint is not continued: a different split's rung refuses it.
        var other = Assert.Throws<InvalidOperationException>(() => new Trainer(study.Spec, study.Data).Run(Split("small/o0/t0/s1", "scheduled", null)));
        Assert.Contains("different task", other.Message);
    }

    [Fact]
    public void Two_trainings_in_one_process_do_not_disturb_each_other()
    {
        using var dir = new TempDir();
        var trainer = new Trainer(study.Spec, study.Data);
        trainer.Run(Task(dir.File("a1"), seed: 1));
        trainer.Run(Task(dir.File("b"), seed: 2));
        // Run A again while another training runs on a second thread.
        var other = new Thread(() => new Trainer(study.Spec, study.Data).Run(Task(dir.File("c"), seed: 3)));
        other.Start();
        trainer.Run(Task(dir.File("a2"), seed: 1));
        other.Join();

        AssertSameWeights(Weights(Path.Combine(dir.File("a1"), "model.pt"), study), Weights(Path.Combine(dir.File("a2"), "model.pt"), study));
        var a = Weights(Path.Combine(dir.File("a1"), "model.pt"), study);
        var b = Weights(Path.Combine(dir.File("b"), "model.pt"), study);
        Assert.Contains(a.Keys, k => !a[k].SequenceEqual(b[k]));
    }

    [Fact]
    public void A_checkpoint_of_another_task_is_refused()
    {
        using var dir = new TempDir();
        var task = Task(dir.File("t"));
        using var cancel = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() => new Trainer(study.Spec, study.Data).Run(task, p =>
        {
            if (p.Batch == 1) cancel.Cancel();
        }, cancel.Token));
        var other = task with { Seed = 99 };
        var e = Assert.Throws<InvalidOperationException>(() => new Trainer(study.Spec, study.Data).Run(other));
        Assert.Contains("different task", e.Message);
    }
}
