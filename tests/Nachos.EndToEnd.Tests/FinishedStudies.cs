namespace Nachos.EndToEnd.Tests;

/// <summary>A study finished by the real <c>nachos run</c>, and its report exported by <c>nachos report --format html</c>.</summary>
public sealed record FinishedStudy(string RunDir, string Html);

/// <summary>
/// Finished studies shared by the dashboard tests, each run on first use: a simulated one (many trials, no
/// training history) and a tiny real TorchSharp one (training curves).
/// </summary>
public sealed class FinishedStudies : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly Lazy<FinishedStudy> _simulated;
    private readonly Lazy<FinishedStudy> _torch;
    private readonly Lazy<FinishedStudy> _segmentation;
    private readonly Lazy<FinishedStudy> _segmentationTwoTrials;

    public FinishedStudies()
    {
        _simulated = new Lazy<FinishedStudy>(() => Run("sim", SimulatedSpec));
        _torch = new Lazy<FinishedStudy>(() => Run("tiny", RunCommandTests.TorchSpec("tiny",
            "{ max_epochs: 3, batch_size: 16, optimizer: adam, learning_rate: 0.003 }",
            "{ trials: 2, parallelism: 2, space: { learning_rate: { type: log-uniform, low: 0.001, high: 0.01 } } }",
            "{ trainer: torch, executor: subprocess, devices: 2 }")));
        _segmentation = new Lazy<FinishedStudy>(() => Run("seg", SegmentationSpec));
        _segmentationTwoTrials = new Lazy<FinishedStudy>(() => Run("seg2", SegmentationSpec.Replace("name: seg", "name: seg2")
            .Replace("trials: 1, metric: dice }", "trials: 2, metric: dice, space: { learning_rate: { type: log-uniform, low: 0.003, high: 0.03 } } }")));
    }

    /// <summary>Binary, 3 outer folds × 2 inner splits × 6 trials of the simulated trainer on 30 synthetic patients.</summary>
    public FinishedStudy Simulated => _simulated.Value;

    /// <summary>Binary, 2 outer folds × 2 inner splits × 2 trials of real training for 3 epochs.</summary>
    public FinishedStudy Torch => _torch.Value;

    /// <summary>
    /// Segmentation, 2 outer folds × 2 inner splits × 1 trial of a small UNet trained for 2 epochs on 8 synthetic
    /// patients (32×32, in <c>data/</c> beside the run directory).
    /// </summary>
    public FinishedStudy Segmentation => _segmentation.Value;

    /// <summary>As <see cref="Segmentation"/> with 2 trials per fold (a learning-rate search), so each fold can choose an ensemble rule (~1 min).</summary>
    public FinishedStudy SegmentationTwoTrials => _segmentationTwoTrials.Value;

    private const string SegmentationSpec = """
        name: seg
        seed: 3
        task: segmentation
        dataset:
          synthetic: { out: data, patients: 8, size: 32 }
          classes: [background, lesion]
        image: { size: 32, channels: 1 }
        split: { scheme: kfold, outer_folds: 2, inner_folds: 2 }
        model: { architecture: unet, depth: 2, width: 0.25 }
        training: { max_epochs: 2, batch_size: 8, optimizer: adam, learning_rate: 0.01, loss: bce-dice }
        search: { sampler: random, trials: 1, metric: dice }
        execution: { trainer: torch, executor: subprocess, devices: 2 }
        """;

    private static readonly string SimulatedSpec = SimulatedSpecs.Yaml("sim", 0, 6, sampler: "random", devices: 2);

    private FinishedStudy Run(string name, string spec)
    {
        // One folder per study: its synthetic data (generated beside the spec) must not be another study's.
        var folder = _dir.File(name);
        var specFile = _dir.Write($"{name}/spec.yaml", spec);
        var runDir = Path.Combine(folder, "run");
        var run = NachosProcess.Run(folder, "run", specFile, "--run-dir", runDir);
        if (run.Code != 0) throw new InvalidOperationException($"nachos run {name}: exit {run.Code}\n{run.Output}\n{run.Error}");
        var html = Path.Combine(folder, "report.html");
        var report = NachosProcess.Run(folder, "report", runDir, "--format", "html", "--out", html);
        if (report.Code != 0) throw new InvalidOperationException($"nachos report {name}: exit {report.Code}\n{report.Output}\n{report.Error}");
        return new FinishedStudy(runDir, html);
    }

    public void Dispose() => _dir.Dispose();
}

[CollectionDefinition(Name)]
public sealed class FinishedStudiesCollection : ICollectionFixture<FinishedStudies>
{
    public const string Name = "finished studies";
}
