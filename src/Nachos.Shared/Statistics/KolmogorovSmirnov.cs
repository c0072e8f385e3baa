namespace Nachos.Shared.Statistics;

/// <summary>D = sup |F₁ − F₂| of the two empirical CDFs.</summary>
public sealed record KolmogorovSmirnovResult(double D, double P, bool Exact);

/// <summary>
/// Two-sided two-sample Kolmogorov–Smirnov test, as scipy.stats.ks_2samp (1.10) with method='auto': the exact
/// p-value when both samples have at most 10,000 values (Hodges 1958, computed for 1 − p directly as Viehmann 2021
/// to stay accurate in the tail), otherwise the limiting Kolmogorov distribution at √(n₁n₂/(n₁+n₂))·D. SciPy's
/// asymptotic branch evaluates the finite-n one-sample distribution at n = round(n₁n₂/(n₁+n₂)) instead; the two
/// differ by O(1/√n) relatively (see the tests for the measured difference).
/// </summary>
public static class KolmogorovSmirnov
{
    public const int MaxExactSize = 10_000;

    public static KolmogorovSmirnovResult TwoSample(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        SampleChecks.Require(x, nameof(x), 1, "two-sample Kolmogorov–Smirnov test");
        SampleChecks.Require(y, nameof(y), 1, "two-sample Kolmogorov–Smirnov test");
        var a = x.ToArray();
        var b = y.ToArray();
        Array.Sort(a);
        Array.Sort(b);
        int n1 = a.Length, n2 = b.Length;
        // The largest gap between the two ECDFs, checked after each distinct value of the pooled sample.
        long i = 0, j = 0;
        double d = 0;
        while (i < n1 || j < n2)
        {
            var v = i < n1 && (j >= n2 || a[i] <= b[j]) ? a[i] : b[j];
            while (i < n1 && a[i] == v) i++;
            while (j < n2 && b[j] == v) j++;
            d = Math.Max(d, Math.Abs((double)i / n1 - (double)j / n2));
        }
        if (Math.Max(n1, n2) <= MaxExactSize)
        {
            var g = Gcd(n1, n2);
            var lcm = (long)(n1 / g) * n2;
            var h = (long)Math.Round(d * lcm, MidpointRounding.ToEven);
            var dExact = (double)h / lcm;
            var p = h == 0 ? 1.0 : n1 == n2 ? OutsideSquare(n1, h) : OutsideInside(n1, n2, g, h);
            if (p is >= 0 and <= 1) return new KolmogorovSmirnovResult(dExact, p, true);
        }
        double m = Math.Max(n1, n2), n = Math.Min(n1, n2);
        return new KolmogorovSmirnovResult(d, KolmogorovSurvival(Math.Sqrt(m * n / (m + n)) * d), false);
    }

    /// <summary>P(K > λ) for the Kolmogorov distribution, by its two series (each converges fast on its side of λ ≈ 1).</summary>
    public static double KolmogorovSurvival(double lambda)
    {
        if (lambda <= 0) return 1;
        if (lambda < 1)
        {
            // P(K ≤ λ) = √(2π)/λ Σ_{k≥1} exp(−(2k−1)²π²/(8λ²))
            double sum = 0;
            for (var k = 1; k <= 20; k++)
            {
                var term = Math.Exp(-(2 * k - 1) * (2 * k - 1) * Math.PI * Math.PI / (8 * lambda * lambda));
                sum += term;
                if (term < 1e-300) break;
            }
            return 1 - Math.Sqrt(2 * Math.PI) / lambda * sum;
        }
        // P(K > λ) = 2 Σ_{k≥1} (−1)^(k−1) exp(−2k²λ²)
        double tail = 0;
        for (var k = 1; k <= 100; k++)
        {
            var term = Math.Exp(-2.0 * k * k * lambda * lambda);
            tail += (k % 2 == 1 ? 1 : -1) * term;
            if (term < 1e-300) break;
        }
        return Math.Clamp(2 * tail, 0, 1);
    }

    /// <summary>n₁ = n₂ = n: P(D ≥ h/n) by the reflection formula, evaluated in Horner form to avoid cancellation.</summary>
    private static double OutsideSquare(int n, long h)
    {
        double p = 0;
        for (var k = n / h; k >= 0; k--)
        {
            var p1 = 1.0;
            for (long j = 0; j < h; j++) p1 = (n - k * h - j) * p1 / (n + k * h + j + 1);
            p = p1 * (1 - p);
        }
        return 2 * p;
    }

    /// <summary>
    /// P(D ≥ h/lcm) as 1 − (lattice paths from (0,0) to (m,n) that stay strictly inside |x/m − y/n| &lt; h/lcm) / C(m+n, n),
    /// with the recursion rewritten for the proportion outside (Viehmann 2021) so that small p-values keep their digits.
    /// </summary>
    private static double OutsideInside(int n1, int n2, int g, long h)
    {
        int m = Math.Max(n1, n2), n = Math.Min(n1, n2);
        long mg = m / g, ng = n / g;
        long minj = 0, maxj = Math.Min((long)Math.Ceiling((double)h / mg), n + 1);
        var curlen = maxj - minj;
        var lenA = Math.Min(2 * maxj + 2, n + 1);
        var a = new double[lenA];
        Array.Fill(a, 1.0);
        for (var k = minj; k < maxj; k++) a[k] = 0;
        for (long i = 1; i <= m; i++)
        {
            var lastMinj = minj;
            var lastLen = curlen;
            minj = Math.Min(Math.Max((long)Math.Floor((double)(ng * i - h) / mg) + 1, 0), n);
            maxj = Math.Min((long)Math.Ceiling((double)(ng * i + h) / mg), n + 1);
            if (maxj <= minj) return 1.0;
            var val = minj == 0 ? 0.0 : 1.0;
            for (long jj = 0; jj < maxj - minj; jj++)
            {
                var j = jj + minj;
                val = (a[jj + minj - lastMinj] * i + val * j) / (i + j);
                a[jj] = val;
            }
            curlen = maxj - minj;
            if (lastLen > curlen)
                for (var k = maxj - minj; k < maxj - minj + (lastLen - curlen); k++) a[k] = 1;
        }
        return a[maxj - minj - 1];
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}
