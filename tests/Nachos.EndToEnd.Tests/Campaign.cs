using Nachos.Tests;

namespace Nachos.EndToEnd.Tests;

/// <summary>The simulated study the cluster tests run, its fault-free reference report, and the invariants they check.</summary>
internal static class Campaign
{
    public const string Study = "camp";

    /// <summary>outer folds × trials × inner splits + refits</summary>
    public static int Tasks(int trials) => 3 * trials * 2 + 3;

    public static string Spec(double secondsPerEpoch, int trials) => $$"""
        name: {{Study}}
        seed: 8
        task: binary
        dataset:
          synthetic: { out: data, patients: 30, sites: 2, size: 16, seed: 3 }
          classes: [normal, lesion]
        image: { size: 16 }
        split: { scheme: kfold, outer_folds: 3, inner_folds: 2 }
        training: { max_epochs: 6 }
        search:
          sampler: tpe
          trials: {{trials}}
          parallelism: 3
          space:
            learning_rate: { type: log-uniform, low: 0.00001, high: 0.1 }
            optimizer: { type: categorical, values: [adam, sgd] }
        execution:
          trainer: simulated
          simulated: { seconds_per_epoch: {{secondsPerEpoch.ToString(System.Globalization.CultureInfo.InvariantCulture)}} }
        """;

    /// <summary>A temp dir holding spec.yaml, and the fault-free report of the same study from an embedded <c>nachos run</c>.</summary>
    public static (TempDir Dir, string Reference) Prepare(double secondsPerEpoch, int trials = 10)
    {
        var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), Spec(secondsPerEpoch, trials));
        File.WriteAllText(dir.File("fast.yaml"), Spec(0, trials));
        var reference = NachosProcess.Run(dir.Path, "run", "fast.yaml", "--run-dir", "reference");
        Assert.True(reference.Code == 0, reference.Output + reference.Error);
        return (dir, File.ReadAllText(dir.File("reference/report.json")));
    }

    public static void Submit(TempDir dir, string root)
    {
        var submit = NachosProcess.Run(dir.Path, "submit", "spec.yaml", "--root", root);
        Assert.True(submit.Code == 0, submit.Output + submit.Error);
    }

    /// <summary>Zero lost and zero duplicated results: the queue persisted exactly one outcome per task.</summary>
    public static async Task AssertExactlyOnce(LocalCluster cluster, int trials = 10)
    {
        var outcomes = await cluster.PersistedOutcomes();
        Assert.Equal(Tasks(trials), outcomes.Count);
        Assert.All(outcomes, kv => Assert.True(kv.Value == 1, $"{kv.Key} persisted {kv.Value} times"));
    }
}
