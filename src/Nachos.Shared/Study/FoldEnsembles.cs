using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Splits;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Study;

/// <summary>
/// One outer fold's mask ensemble of its candidates (the best trials of one study, or of several studies on the same
/// split plan): every rule scored on the inner validation images, the best rule chosen there, then applied once to the
/// outer test images. Each candidate predicts a test image by the mean of its inner split models' probability maps.
/// </summary>
/// <param name="Candidates">The ensemble's models, in the order of the scores' model columns.</param>
/// <param name="Validation">Every rule and every candidate on the inner validation images (each split's models on its own validation set).</param>
/// <param name="Test">Every rule, every candidate and the per-image oracle on the outer test images.</param>
public sealed record FoldEnsemble(int Outer, IReadOnlyList<EnsembleCandidate> Candidates, EnsembleScores Validation, EnsembleRule Chosen, EnsembleScores Test)
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

    /// <param name="candidates">The trials to combine; several studies' trials must come from studies on this same split plan.</param>
    /// <param name="truth">An image's true foreground mask (height × width).</param>
    public static FoldEnsemble Evaluate(OuterFold fold, IReadOnlyList<EnsembleCandidate> candidates, int height, int width,
        Func<string, bool[]> truth, ForegroundPredictor predict)
    {
        if (candidates.Count < 2) throw new ArgumentException($"outer fold {fold.Index}: an ensemble needs at least two finished trials, found {candidates.Count}");
        if (candidates.Distinct().Count() != candidates.Count) throw new ArgumentException($"outer fold {fold.Index}: a candidate is given twice ({string.Join(", ", candidates)})");
        // Validation: each inner split's models on that split's validation images; the splits' images pooled.
        var validationTruth = new Dictionary<string, bool[]>();
        var validationMaps = candidates.Select(_ => new Dictionary<string, double[]>()).ToList();
        for (var j = 0; j < fold.Inner.Count; j++)
        {
            var split = fold.SearchSplit(j);
            foreach (var id in split.Validation) validationTruth[Key(j, id)] = truth(id);
            for (var m = 0; m < candidates.Count; m++)
                foreach (var (id, map) in predict(Split(candidates[m], fold, j), split.Train, split.Validation))
                    validationMaps[m][Key(j, id)] = map;
        }
        var validation = EnsembleScores.Evaluate(height, width, validationTruth, validationMaps);
        var chosen = validation.Best();

        // Test: each candidate's split models averaged, then the rules across candidates.
        var testTruth = fold.Test.ToDictionary(id => id, truth);
        var testMaps = candidates.Select(c => Average(fold.Inner.Select((_, j) =>
            predict(Split(c, fold, j), fold.SearchSplit(j).Train, fold.Test)).ToList())).ToList();
        var test = EnsembleScores.Evaluate(height, width, testTruth, testMaps);
        return new FoldEnsemble(fold.Index, candidates, validation, chosen, test);
    }

    private static TaskAddress Split(EnsembleCandidate c, OuterFold fold, int split) => TaskAddress.InnerSplit(c.Study, fold.Index, c.Trial, split);

    private static string Key(int split, string id) => $"s{split}/{id}";

    /// <summary>Per image, the mean of the models' probabilities (maps or class probabilities), value by value; the first model's images.</summary>
    public static IReadOnlyDictionary<string, double[]> Average(IReadOnlyList<IReadOnlyDictionary<string, double[]>> models)
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
