using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Training.Data;
using Nachos.Shared.SpecLoading;

namespace Nachos.Training.Tests;

/// <summary>A small synthetic study (32×32, few patients) written to a temp folder, decoded once per test class.</summary>
public sealed class SmallStudy : IDisposable
{
    private readonly TempDir _dir = new();

    public SmallStudy()
    {
        var yaml = $"""
            name: small
            seed: 3
            task: binary
            dataset:
              synthetic: {"{"} out: data, patients: 24, sites: 2, size: 32, seed: 5 {"}"}
              classes: [normal, lesion]
            image: {"{"} size: 32, channels: 1 {"}"}
            split: {"{"} scheme: kfold, outer_folds: 3, inner_folds: 2 {"}"}
            model: {"{"} architecture: simple-cnn, width: 0.5 {"}"}
            training:
              max_epochs: 4
              batch_size: 8
              optimizer: sgd
              momentum: 0.9
              learning_rate: 0.01
              checkpoint_every: 1
              augmentation: {"{"} horizontal_flip: true, rotation_degrees: 15, crop_scale_min: 0.8, intensity: 0.05, contrast: 0.1 {"}"}
            """;
        var path = _dir.File("spec.yaml");
        File.WriteAllText(path, yaml);
        Spec = SpecLoader.LoadFile(path);
        Data = DatasetLoader.Load(Spec);
        Plan = SplitPlanner.Plan(Data.Manifest, Spec.Split, Spec.Seed);
    }

    public StudySpec Spec { get; }
    public LoadedDataset Data { get; }
    public SplitPlan Plan { get; }
    public string Root => _dir.Path;

    public void Dispose() => _dir.Dispose();
}
