using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace Nachos.Shared.Statistics;

public enum McNemarMethod
{
    /// <summary>Exact when the discordant pairs number fewer than <see cref="McNemar.MinChiSquareDiscordant"/>, else χ².</summary>
    Auto,
    Exact,
    ChiSquare,
}

/// <summary>
/// Exact: Statistic = min(b, c), P = min(1, 2·Binomial(b + c, ½).CDF(min(b, c))). χ²: Statistic = (|b − c| − 1)²/(b + c), df 1.
/// </summary>
public sealed record McNemarResult(double Statistic, double P, bool Exact, int Discordant01, int Discordant10);

/// <summary>
/// McNemar's test for two classifiers' paired correctness on the same cases, from the discordant counts b (only the
/// first right) and c (only the second right); two-sided. As statsmodels.stats.contingency_tables.mcnemar: the exact
/// binomial version, or the χ² version with continuity correction. Auto takes the exact one when b + c &lt; 25, where
/// the χ² approximation is poor (a common rule of thumb; statsmodels leaves the choice to the caller).
/// </summary>
public static class McNemar
{
    public const int MinChiSquareDiscordant = 25;

    public static McNemarResult Test(int b, int c, McNemarMethod method = McNemarMethod.Auto)
    {
        if (b < 0 || c < 0) throw new ArgumentException($"McNemar test: discordant counts must not be negative; got b = {b}, c = {c}");
        var exact = method == McNemarMethod.Exact || (method == McNemarMethod.Auto && b + c < MinChiSquareDiscordant);
        if (exact)
        {
            var k = Math.Min(b, c);
            var p = b + c == 0 ? 1.0 : Math.Min(1, 2 * Binomial.CDF(0.5, b + c, k));
            return new McNemarResult(k, p, true, b, c);
        }
        if (b + c == 0) throw new ArgumentException("McNemar test: the χ² version needs at least one discordant pair; got b = c = 0");
        var chi = Math.Pow(Math.Abs(b - c) - 1.0, 2) / (b + c);
        return new McNemarResult(chi, SpecialFunctions.GammaUpperRegularized(0.5, chi / 2), false, b, c);
    }

    /// <summary>From each case's correctness under the two classifiers.</summary>
    public static McNemarResult Test(IReadOnlyList<bool> firstCorrect, IReadOnlyList<bool> secondCorrect, McNemarMethod method = McNemarMethod.Auto)
    {
        if (firstCorrect.Count != secondCorrect.Count)
            throw new ArgumentException($"McNemar test needs paired outcomes of equal length; got {firstCorrect.Count} and {secondCorrect.Count}", nameof(secondCorrect));
        int b = 0, c = 0;
        for (var i = 0; i < firstCorrect.Count; i++)
        {
            if (firstCorrect[i] && !secondCorrect[i]) b++;
            if (!firstCorrect[i] && secondCorrect[i]) c++;
        }
        return Test(b, c, method);
    }
}
