using System.Globalization;

namespace Nachos.EndToEnd.Tests;

/// <summary>Specs of studies with the simulated trainer on 30 synthetic patients at 16 px, as the end-to-end tests use them.</summary>
internal static class SimulatedSpecs
{
    public static string Yaml(string name, double secondsPerEpoch, int trials, int seed = 5, string sampler = "tpe", int outer = 3,
        int inner = 2, int maxEpochs = 6, int parallelism = 3, bool optimizer = true, int? devices = null)
    {
        var optimizerLine = optimizer ? "\n    optimizer: { type: categorical, values: [adam, sgd] }" : "";
        var devicesLine = devices is { } d ? $"\n  devices: {d}" : "";
        return $$"""
            name: {{name}}
            seed: {{seed}}
            task: binary
            dataset:
              synthetic: { out: data, patients: 30, sites: 2, size: 16, seed: 3 }
              classes: [normal, lesion]
            image: { size: 16 }
            split: { scheme: kfold, outer_folds: {{outer}}, inner_folds: {{inner}} }
            training: { max_epochs: {{maxEpochs}} }
            search:
              sampler: {{sampler}}
              trials: {{trials}}
              parallelism: {{parallelism}}
              space:
                learning_rate: { type: log-uniform, low: 0.00001, high: 0.1 }{{optimizerLine}}
            execution:
              trainer: simulated{{devicesLine}}
              simulated: { seconds_per_epoch: {{secondsPerEpoch.ToString(CultureInfo.InvariantCulture)}} }
            """;
    }
}
