using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Splits;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Study;

/// <summary>
/// One outer fold's mask ensemble of its best trials: every rule scored on the inner validation images, the best rule
/// chosen there, then applied once to the outer test images. Each trial predicts a test image by the mean of its inner
/// split models' probability maps.
/// </summary>
/// <param name="Trials">The ensemble's trials, best inner score first.</param>
/// <param name="Validation">Every rule and every trial on the inner validation images (each split's models on its own validation set).</param>
/// <param name="Test">Every rule, every trial and the per-image oracle on the outer test images.</param>
public sealed record FoldEnsemble(int Outer, IReadOnlyList<int> Trials, EnsembleScores Validation, EnsembleRule Chosen, EnsembleScores Test)
{
    /// <summary>The estimate: the rule chosen on validation, on the outer test images.</summary>
    public double TestDice => Test.RuleMean(Chosen);
}

/// <summary>A predictor of foreground probability maps: a task's model, the images it was trained on, the images to predict.</summary>
public delegate IReadOnlyDictionary<string, double[]> ForegroundPredictor(TaskAddress task, IReadOnlyList<string> train, IReadOnlyList<string> ids);

public static class FoldEnsembles
{
    /// <summary>The <paramref name="count"/> best trials that finished with a score, best first in the search's direction, ties by trial index.</summary>
    public static IReadOnlyList<int> Top(IReadOnlyList<TrialResult> trials, bool maximise, int count) =>
        trials.Where(t => !t.Failed && t.Score is not null)
            .OrderBy(t => maximise ? -t.Score!.Value : t.Score!.Value).ThenBy(t => t.Trial)
            .Take(count).Select(t => t.Trial).ToList();

    /// <param name="truth">An image's true foreground mask (height × width).</param>
    public static FoldEnsemble Evaluate(string study, OuterFold fold, IReadOnlyList<int> trials, int height, int width,
        Func<string, bool[]> truth, ForegroundPredictor predict)
    {
        if (trials.Count < 2) throw new ArgumentException($"outer fold {fold.Index}: an ensemble needs at least two finished trials, found {trials.Count}");
        // Validation: each inner split's models on that split's validation images; the splits' images pooled.
        var validationTruth = new Dictionary<string, bool[]>();
        var validationMaps = trials.Select(_ => new Dictionary<string, double[]>()).ToList();
        for (var j = 0; j < fold.Inner.Count; j++)
        {
            var split = fold.Inner[j];
            foreach (var id in split.Validation) validationTruth[Key(j, id)] = truth(id);
            for (var m = 0; m < trials.Count; m++)
                foreach (var (id, map) in predict(TaskAddress.InnerSplit(study, fold.Index, trials[m], j), split.Train, split.Validation))
                    validationMaps[m][Key(j, id)] = map;
        }
        var validation = EnsembleScores.Evaluate(height, width, validationTruth, validationMaps);
        var chosen = validation.Best();

        // Test: each trial's split models averaged, then the rules across trials.
        var testTruth = fold.Test.ToDictionary(id => id, truth);
        var testMaps = trials.Select(n => Average(fold.Inner.Select((split, j) =>
            predict(TaskAddress.InnerSplit(study, fold.Index, n, j), split.Train, fold.Test)).ToList())).ToList();
        var test = EnsembleScores.Evaluate(height, width, testTruth, testMaps);
        return new FoldEnsemble(fold.Index, trials, validation, chosen, test);
    }

    private static string Key(int split, string id) => $"s{split}/{id}";

    private static IReadOnlyDictionary<string, double[]> Average(IReadOnlyList<IReadOnlyDictionary<string, double[]>> models)
    {
        var mean = new Dictionary<string, double[]>();
        foreach (var id in models[0].Keys)
        {
            var sum = new double[models[0][id].Length];
            foreach (var m in models)
            {
                var map = m[id];
                for (var i = 0; i < sum.Length; i++) sum[i] += map[i];
            }
            for (var i = 0; i < sum.Length; i++) sum[i] /= models.Count;
            mean[id] = sum;
        }
        return mean;
    }
}
