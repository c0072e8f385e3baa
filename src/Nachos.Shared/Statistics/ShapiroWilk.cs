using MathNet.Numerics.Distributions;

namespace Nachos.Shared.Statistics;

public sealed record ShapiroWilkResult(double W, double P);

/// <summary>
/// Shapiro–Wilk test of normality by Royston's algorithm AS R94 (1995), the one scipy.stats.shapiro calls: the
/// coefficients from Royston's polynomial approximations to the expected normal order statistics, W as the squared
/// correlation of the sorted data with them (computed as 1 − W to keep its digits near 1), and the p-value from
/// Royston's normalising transformations (exact for n = 3). Defined for 3 ≤ n ≤ 5000; the data must not all be equal.
/// </summary>
public static class ShapiroWilk
{
    public const int MinCount = 3;
    public const int MaxCount = 5000;

    private static readonly double[] C1 = [0.0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056];
    private static readonly double[] C2 = [0.0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633];
    private static readonly double[] C3 = [0.544, -0.39978, 0.025054, -6.714e-4];
    private static readonly double[] C4 = [1.3822, -0.77857, 0.062767, -0.0020322];
    private static readonly double[] C5 = [-1.5861, -0.31082, -0.083751, 0.0038915];
    private static readonly double[] C6 = [-0.4803, -0.082676, 0.0030302];
    private static readonly double[] G = [-2.273, 0.459];

    public static ShapiroWilkResult Test(IReadOnlyList<double> values)
    {
        SampleChecks.Require(values, nameof(values), MinCount, "Shapiro–Wilk test");
        var n = values.Count;
        if (n > MaxCount)
            throw new ArgumentException($"Shapiro–Wilk test: the p-value approximation holds for at most {MaxCount} values; got {n}", nameof(values));
        var x = values.ToArray();
        Array.Sort(x);
        var range = x[n - 1] - x[0];
        if (range == 0) throw new ArgumentException($"Shapiro–Wilk test: all {n} values are equal", nameof(values));

        var a = Coefficients(n);
        // W as the squared correlation between the data (scaled by the range) and the antisymmetric coefficients.
        var half = n / 2;
        double Coefficient(int i) => i < half ? -a[i] : i >= n - half ? a[n - 1 - i] : 0;
        double sx = 0, sa = 0;
        for (var i = 0; i < n; i++) { sx += x[i] / range; sa += Coefficient(i); }
        sx /= n;
        sa /= n;
        double ssa = 0, ssx = 0, sax = 0;
        for (var i = 0; i < n; i++)
        {
            var asa = Coefficient(i) - sa;
            var xsx = x[i] / range - sx;
            ssa += asa * asa;
            ssx += xsx * xsx;
            sax += asa * xsx;
        }
        var root = Math.Sqrt(ssa * ssx);
        var w1 = (root - sax) * (root + sax) / (ssa * ssx);
        var w = 1 - w1;
        return new ShapiroWilkResult(w, PValue(n, w, w1));
    }

    /// <summary>The n/2 coefficients a₁ ≥ a₂ ≥ … for the largest order statistics (the smallest take −aᵢ).</summary>
    private static double[] Coefficients(int n)
    {
        var half = n / 2;
        var a = new double[half];
        if (n == 3)
        {
            a[0] = Math.Sqrt(0.5);
            return a;
        }
        var m = new double[half];
        double summ2 = 0;
        for (var i = 0; i < half; i++)
        {
            m[i] = Normal.InvCDF(0, 1, (i + 1 - 0.375) / (n + 0.25));
            summ2 += m[i] * m[i];
        }
        summ2 *= 2;
        var ssumm2 = Math.Sqrt(summ2);
        var rsn = 1 / Math.Sqrt(n);
        var a1 = Poly(C1, rsn) - m[0] / ssumm2;
        int first;
        double fac;
        if (n > 5)
        {
            first = 2;
            var a2 = -m[1] / ssumm2 + Poly(C2, rsn);
            fac = Math.Sqrt((summ2 - 2 * m[0] * m[0] - 2 * m[1] * m[1]) / (1 - 2 * a1 * a1 - 2 * a2 * a2));
            a[1] = a2;
        }
        else
        {
            first = 1;
            fac = Math.Sqrt((summ2 - 2 * m[0] * m[0]) / (1 - 2 * a1 * a1));
        }
        a[0] = a1;
        for (var i = first; i < half; i++) a[i] = -m[i] / fac;
        return a;
    }

    private static double PValue(int n, double w, double w1)
    {
        if (n == 3)
            return Math.Max(6 / Math.PI * (Math.Asin(Math.Sqrt(w)) - Math.PI / 3), 0);
        var y = Math.Log(w1);
        double mean, sd;
        if (n <= 11)
        {
            var gamma = Poly(G, n);
            if (y >= gamma) return 1e-99;
            y = -Math.Log(gamma - y);
            mean = Poly(C3, n);
            sd = Math.Exp(Poly(C4, n));
        }
        else
        {
            var ln = Math.Log(n);
            mean = Poly(C5, ln);
            sd = Math.Exp(Poly(C6, ln));
        }
        return Normal.CDF(0, 1, -(y - mean) / sd);
    }

    private static double Poly(double[] c, double x)
    {
        double result = 0;
        for (var i = c.Length - 1; i >= 0; i--) result = result * x + c[i];
        return result;
    }
}
