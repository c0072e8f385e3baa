namespace Nachos.Shared.Statistics;

/// <summary>
/// Holm's step-down correction for multiple comparisons (Holm 1979), as statsmodels multipletests(method='holm'):
/// with p sorted ascending, adjusted p₍ᵢ₎ = min(1, max_{j ≤ i} (m − j + 1) p₍ⱼ₎), returned in the input order.
/// Controls the family-wise error rate; reject where the adjusted p ≤ α.
/// </summary>
public static class Holm
{
    public static double[] Adjust(IReadOnlyList<double> pValues)
    {
        SampleChecks.Require(pValues, nameof(pValues), 1, "Holm correction");
        for (var i = 0; i < pValues.Count; i++)
            if (pValues[i] is < 0 or > 1) throw new ArgumentException($"Holm correction: pValues[{i}] = {pValues[i]} is not a probability", nameof(pValues));
        var m = pValues.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => pValues[i]).ToArray();
        var adjusted = new double[m];
        double running = 0;
        for (var rank = 0; rank < m; rank++)
        {
            running = Math.Max(running, Math.Min(1, (m - rank) * pValues[order[rank]]));
            adjusted[order[rank]] = running;
        }
        return adjusted;
    }

    public static bool[] Reject(IReadOnlyList<double> pValues, double alpha = 0.05) =>
        Adjust(pValues).Select(p => p <= alpha).ToArray();
}
