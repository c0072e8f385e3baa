namespace Nachos.Shared.Metrics;

/// <summary>Area under the ROC curve as the Mann–Whitney statistic: tied scores count one half.</summary>
public static class Auroc
{
    /// <summary>Null when the labels hold only one class (the AUROC is undefined).</summary>
    public static double? Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        var n = scores.Count;
        var sorted = new double[n];
        var isPositive = new bool[n];
        var pos = 0;
        for (var i = 0; i < n; i++)
        {
            sorted[i] = scores[i];
            isPositive[i] = positive[i];
            if (positive[i]) pos++;
        }
        var neg = n - pos;
        if (pos == 0 || neg == 0) return null;
        // Plain arrays sorted together: a segmentation scores every pixel of every image, and a LINQ ordering of
        // indices was most of its metric time. The order within ties does not matter: a tie group shares its rank.
        Array.Sort(sorted, isPositive);
        double rankSumPos = 0;
        for (var i = 0; i < n;)
        {
            var j = i;
            while (j + 1 < n && sorted[j + 1] == sorted[i]) j++;
            var averageRank = ((double)i + j) / 2 + 1;
            for (var t = i; t <= j; t++)
                if (isPositive[t]) rankSumPos += averageRank;
            i = j + 1;
        }
        // In doubles: pos · (pos + 1) exceeds int.MaxValue from 46,341 positives on.
        return (rankSumPos - (double)pos * (pos + 1) / 2) / ((double)pos * neg);
    }

    /// <summary>The ROC curve's points (false positive rate, true positive rate), from (0,0) to (1,1), one per distinct threshold.</summary>
    public static IReadOnlyList<(double Fpr, double Tpr)> Curve(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        var pos = positive.Count(p => p);
        var neg = positive.Count - pos;
        var points = new List<(double, double)> { (0, 0) };
        if (pos == 0 || neg == 0) return points;
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        int tp = 0, fp = 0;
        for (var i = 0; i < order.Length; i++)
        {
            if (positive[order[i]]) tp++; else fp++;
            if (i + 1 == order.Length || scores[order[i + 1]] != scores[order[i]])
                points.Add(((double)fp / neg, (double)tp / pos));
        }
        return points;
    }
}
