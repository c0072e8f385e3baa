using Nachos.Shared.Data;
using Nachos.Shared.Predictions;
using Nachos.Shared.Seeding;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;

namespace Nachos.Shared.Robustness;

/// <summary>
/// The simulated trainer's stress test (tests and benchmarks of the orchestration), reading no image: the baseline is the refit's
/// own test predictions, and each shift blends them with noise, p ↦ (1 − w)·p + w·u with w = severity / 6 × (1 + the shift's index) / 8
/// and u drawn per image, shift and severity (a distribution over the classes; per label for multi-label), a deterministic loss that
/// grows with the severity (for a channel grid cell, with its distance from the centre).
/// </summary>
public static class SimulatedStress
{
    /// <param name="refitDir">The refit's folder, holding its predictions.csv.</param>
    /// <exception cref="InvalidDataException">The refit's predictions are missing or unreadable.</exception>
    public static StressFold Run(string refitDir, int outer, Manifest manifest, StressSelection selection)
    {
        var file = RunLayout.PredictionsPath(refitDir);
        if (!File.Exists(file)) throw new InvalidDataException($"{file}: missing; outer fold {outer}'s refit has no predictions");
        var table = PredictionsFile.Read(file, manifest.Task, manifest.ById.ContainsKey);
        var column = table.Classes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i);
        var baseline = table.Rows.Where(r => r.Set == "test")
            .Select(r => new Prediction(r.SampleId, manifest.ById[r.SampleId].Labels, manifest.Classes.Select(c => r.Probabilities[column[c]]).ToArray()))
            .ToList();
        var kinds = Enum.GetValues<ShiftKind>().Length;
        var scores = new List<StressScore> { new(ShiftCondition.None, 0, baseline, null) };
        foreach (var kind in selection.Transforms)
            foreach (var severity in selection.Severities)
            {
                var w = severity / (Shifts.Severities + 1.0) * (1 + (int)kind) / kinds;
                scores.Add(new StressScore(Shifts.NameOf(kind), severity,
                    baseline.Select(p => p with { Probabilities = Blend(p, manifest.Task, Shifts.NameOf(kind), severity, w) }).ToList(), null));
            }
        if (selection.ChannelGrid)
            foreach (var cell in ChannelGrid.Evaluated)
            {
                // The farther the cell from the centre, the larger the loss (at most as the first shift's severity 5).
                var w = (Math.Abs(cell.Red) + Math.Abs(cell.Blue)) / 0.8 * Shifts.Severities / (Shifts.Severities + 1.0) / kinds;
                var name = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{ChannelGrid.Name} {cell.Red} {cell.Blue}");
                scores.Add(new StressScore(ChannelGrid.Name, 0, baseline.Select(p => p with { Probabilities = Blend(p, manifest.Task, name, 0, w) }).ToList(), null, cell));
            }
        return new StressFold(StressFold.FormatVersion, outer, scores);
    }

    private static double[] Blend(Prediction p, TaskKind task, string shift, int severity, double w)
    {
        var rng = new SplitMix(Seeds.Hash($"{p.SampleId}/{shift}/{severity}"));
        var u = p.Probabilities.Select(_ => rng.NextDouble()).ToArray();
        if (task != TaskKind.Multilabel)
        {
            var sum = u.Sum();
            for (var i = 0; i < u.Length; i++) u[i] /= sum;
        }
        return p.Probabilities.Select((x, i) => (1 - w) * x + w * u[i]).ToArray();
    }
}
