namespace Nachos.Shared.Statistics;

/// <summary>Average (mid) ranks from 1, as scipy.stats.rankdata's default, with the tie term Σ(t³ − t).</summary>
internal static class Ranks
{
    public static double[] Average(IReadOnlyList<double> values) => Average(values, out _);

    /// <param name="tieTerm">Σ over groups of tied values of t³ − t (t the group's size), in doubles: t³ overflows a long from t ≈ 2·10⁶.</param>
    public static double[] Average(IReadOnlyList<double> values, out double tieTerm)
    {
        var n = values.Count;
        var order = new int[n];
        for (var i = 0; i < n; i++) order[i] = i;
        var keys = values.ToArray();
        Array.Sort(keys, order);
        var ranks = new double[n];
        tieTerm = 0;
        for (var i = 0; i < n;)
        {
            var j = i;
            while (j + 1 < n && keys[j + 1] == keys[i]) j++;
            var rank = ((double)i + j) / 2 + 1;
            for (var t = i; t <= j; t++) ranks[order[t]] = rank;
            double size = j - i + 1;
            tieTerm += size * size * size - size;
            i = j + 1;
        }
        return ranks;
    }
}
