using MathNet.Numerics.Distributions;

namespace Nachos.Shared.Statistics;

/// <summary>The two AUROCs, their variances and covariance, and z = (AUROC₁ − AUROC₂)/√Var(AUROC₁ − AUROC₂).</summary>
public sealed record DeLongResult(double Auroc1, double Auroc2, double Variance1, double Variance2, double Covariance, double Z, double P);

/// <summary>
/// DeLong's test (DeLong, DeLong &amp; Clarke-Pearson 1988) for two correlated AUROCs of two scores on the same cases,
/// by the fast algorithm of Sun &amp; Xu (2014): the structural components come from mid-ranks, O(n log n). Tied
/// scores count one half, as in the Mann–Whitney AUROC. Two-sided p from the standard normal. Needs at least two
/// positives and two negatives (the component variances use n − 1).
/// </summary>
public static class DeLong
{
    public static DeLongResult Test(IReadOnlyList<double> scores1, IReadOnlyList<double> scores2, IReadOnlyList<bool> positive)
    {
        if (scores1.Count != positive.Count || scores2.Count != positive.Count)
            throw new ArgumentException($"DeLong test: scores1 ({scores1.Count}), scores2 ({scores2.Count}) and labels ({positive.Count}) differ in length", nameof(positive));
        SampleChecks.Require(scores1, nameof(scores1), 4, "DeLong test");
        SampleChecks.Require(scores2, nameof(scores2), 4, "DeLong test");
        var m = positive.Count(p => p);
        var n = positive.Count - m;
        if (m < 2 || n < 2)
            throw new ArgumentException($"DeLong test needs at least 2 positives and 2 negatives; got {m} and {n}", nameof(positive));
        var (auc1, v10a, v01a) = Components(scores1, positive, m, n);
        var (auc2, v10b, v01b) = Components(scores2, positive, m, n);
        var s10 = Covariance(v10a, v10b);
        var s01 = Covariance(v01a, v01b);
        var var1 = Covariance(v10a, v10a) / m + Covariance(v01a, v01a) / n;
        var var2 = Covariance(v10b, v10b) / m + Covariance(v01b, v01b) / n;
        var cov = s10 / m + s01 / n;
        var variance = var1 + var2 - 2 * cov;
        if (!(variance > 0))
            throw new ArgumentException("DeLong test: the variance of the AUROC difference is zero (the two scores rank the cases identically)");
        var z = (auc1 - auc2) / Math.Sqrt(variance);
        return new DeLongResult(auc1, auc2, var1, var2, cov, z, 2 * Normal.CDF(0, 1, -Math.Abs(z)));
    }

    /// <summary>The AUROC and its placement values: V10 per positive, V01 per negative (Sun &amp; Xu 2014, Algorithm 1).</summary>
    private static (double Auc, double[] V10, double[] V01) Components(IReadOnlyList<double> scores, IReadOnlyList<bool> positive, int m, int n)
    {
        var pos = new double[m];
        var neg = new double[n];
        for (int i = 0, a = 0, b = 0; i < scores.Count; i++)
            if (positive[i]) pos[a++] = scores[i]; else neg[b++] = scores[i];
        var tx = Ranks.Average(pos);
        var ty = Ranks.Average(neg);
        var tz = Ranks.Average([.. pos, .. neg]);
        var v10 = new double[m];
        var v01 = new double[n];
        double sum = 0;
        for (var i = 0; i < m; i++)
        {
            v10[i] = (tz[i] - tx[i]) / n;
            sum += tz[i];
        }
        for (var j = 0; j < n; j++) v01[j] = 1 - (tz[m + j] - ty[j]) / m;
        var auc = (sum - (double)m * (m + 1) / 2) / ((double)m * n);
        return (auc, v10, v01);
    }

    private static double Covariance(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), s = 0;
        for (var i = 0; i < x.Length; i++) s += (x[i] - mx) * (y[i] - my);
        return s / (x.Length - 1);
    }
}
