using System.Globalization;
using System.Text.Json;

namespace Nachos.EndToEnd.Tests;

public sealed class TrainCommandTests
{
    private const string Spec = """
        name: e2e
        seed: 42
        task: binary
        dataset:
          synthetic: { out: data, patients: 100, sites: 3, size: 64, seed: 7 }
          classes: [normal, lesion]
        image: { size: 64, channels: 1 }
        split: { scheme: kfold, outer_folds: 3, inner_folds: 2 }
        model: { architecture: simple-cnn }
        training:
          max_epochs: 20
          batch_size: 16
          optimizer: adam
          learning_rate: 0.003
          early_stopping: { monitor: val_auroc, patience: 5 }
          augmentation: { horizontal_flip: true, vertical_flip: true, rotation_degrees: 10, intensity: 0.05, contrast: 0.1 }
        """;

    [Fact]
    public void Training_one_fold_of_the_synthetic_data_reaches_test_auroc_of_at_least_0_90()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), Spec);
        var trace = dir.File("trace.tsv");
        var (code, output, error) = NachosProcess.Run(dir.Path, new Dictionary<string, string> { ["NACHOS_TRAINER_TRACE"] = trace }, "train", "spec.yaml", "--outer", "1");
        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");

        var task = Path.Combine(dir.Path, "runs", "e2e", "o1", "train");
        // NACHOS_TRAINER_TRACE: one line for the one training, its phases in order of first use, the epochs it ran.
        var traced = Assert.Single(File.ReadAllLines(trace)).Split('\t');
        Assert.Equal("cold", traced[1]);
        Assert.Equal("0", traced[3]);
        Assert.Equal((File.ReadAllLines(Path.Combine(task, "history.csv")).Length - 1).ToString(CultureInfo.InvariantCulture), traced[4]);
        Assert.Equal(["setup", "torch-init", "head", "model", "optimizer", "normalisation", "first-epoch-train"],
            traced[6..13].Select(p => p.Split('=')[0]));
        Assert.Contains(traced, p => p.StartsWith("final-test=", StringComparison.Ordinal));
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(task, "metrics.json")));
        var auroc = metrics.RootElement.GetProperty("test").GetProperty("auroc").GetDouble();
        Assert.True(auroc >= 0.90, $"test AUROC {auroc:F3} < 0.90\n{output}");

        var history = File.ReadAllLines(Path.Combine(task, "history.csv"));
        Assert.StartsWith("epoch,learning_rate,train_loss,val_loss,val_auroc", history[0]);
        Assert.InRange(history.Length - 1, 1, 20);
        var predictions = File.ReadAllLines(Path.Combine(task, "predictions.csv"));
        Assert.Equal("sample_id,set,true,p_normal,p_lesion,predicted", predictions[0]);
        var plan = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "runs", "e2e", "splits.json")));
        var testIds = plan.RootElement.GetProperty("outer")[1].GetProperty("test").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
        var predictedTest = predictions.Skip(1).Where(l => l.Split(',')[1] == "test").Select(l => l.Split(',')[0]).ToHashSet();
        Assert.Equal(testIds, predictedTest);
        Assert.True(File.Exists(Path.Combine(task, "model.pt")));
        Assert.True(File.Exists(Path.Combine(task, "checkpoint", "state.json")));
    }

    [Fact]
    public void Ctrl_c_writes_a_checkpoint_and_resume_finishes_the_run()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), Spec.Replace("max_epochs: 20", "max_epochs: 10").Replace("patience: 5", "patience: 10"));
        var task = Path.Combine(dir.Path, "runs", "e2e", "o0", "s0");
        var state = Path.Combine(task, "checkpoint", "state.json");
        using (var run = new NachosProcess(dir.Path, "train", "spec.yaml", "--inner", "0"))
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!File.Exists(state) && DateTime.UtcNow < deadline) Thread.Sleep(20);
            Assert.True(File.Exists(state), $"no checkpoint appeared\n{run.Output}\n{run.Error}");
            run.Interrupt();
            var code = run.Wait(TimeSpan.FromMinutes(1));
            Assert.True(code == 130, $"exit {code}\n{run.Output}\n{run.Error}");
            Assert.Contains("--resume", run.Error);
        }
        Assert.False(File.Exists(Path.Combine(task, "metrics.json")));
        using (var checkpoint = JsonDocument.Parse(File.ReadAllText(state)))
            Assert.InRange(checkpoint.RootElement.GetProperty("Epoch").GetInt32(), 0, 9);

        // A plain rerun refuses to touch the checkpoint; --resume continues it to the end.
        var again = NachosProcess.Run(dir.Path, "train", "spec.yaml", "--inner", "0");
        Assert.Equal(2, again.Code);
        Assert.Contains("--resume", again.Error);
        var resumed = NachosProcess.Run(dir.Path, "train", "spec.yaml", "--inner", "0", "--resume");
        Assert.True(resumed.Code == 0, $"exit {resumed.Code}\n{resumed.Output}\n{resumed.Error}");
        Assert.Equal(11, File.ReadAllLines(Path.Combine(task, "history.csv")).Length);
        Assert.True(File.Exists(Path.Combine(task, "metrics.json")));
    }
}
