using MathNet.Numerics;
using MathNet.Numerics.Distributions;
using Nachos.Shared.Tasks;
using Nachos.Shared.Seeding;

namespace Nachos.Shared.Search;

/// <summary>
/// Tree-structured Parzen estimator, after Optuna's default (univariate) TPESampler. Until
/// <see cref="StartupTrials"/> visible trials have a score it is the <see cref="RandomSampler"/> with the same seed.
/// Then the visible scored trials are ranked (best first, ties: lower index), the best ceil(n/10) (at most 25) form the
/// good set and the rest, with the failed trials, the bad set; each active parameter, in order, gets the candidate
/// among <see cref="Candidates"/> draws from its good-set density l that maximises log l − log g.
/// See docs/search.md for the estimators and the differences from Optuna.
/// </summary>
internal sealed class TpeSampler(ParamSpace space, int seed, bool maximise) : ISampler
{
    public const int StartupTrials = 10;
    public const int Candidates = 24;
    private const int MaxGood = 25;

    /// <summary>Proposals (with fresh candidate streams) tried before falling back to random duplicate rejection.</summary>
    private const int Attempts = 10;

    private readonly RandomSampler _random = new(space, seed);

    public Hyperparameters Suggest(int trialIndex, IReadOnlyList<Hyperparameters> earlier, IReadOnlyList<TrialOutcome> visible)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trialIndex);
        var ordered = visible.OrderBy(o => o.Index).ToList();
        var scored = ordered.Where(o => o.Score is { } s && double.IsFinite(s)).ToList();
        if (scored.Count < StartupTrials || space.Params.Count == 0) return _random.Suggest(trialIndex, earlier, visible);

        var good = scored
            .OrderBy(o => maximise ? -o.Score!.Value : o.Score!.Value).ThenBy(o => o.Index)
            .Take(Math.Min((scored.Count + 9) / 10, MaxGood))
            .OrderBy(o => o.Index).ToList();
        var bad = ordered.Where(o => !good.Contains(o)).ToList();

        var seen = new HashSet<Hyperparameters>(earlier, ConfigComparer.Instance);
        Hyperparameters? first = null;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var config = Propose(trialIndex, attempt, good, bad);
            if (!seen.Contains(config)) return config;
            first ??= config;
        }
        // A discrete space where TPE keeps proposing tried configurations: explore an untried one, if any is left.
        return _random.TryUnseen(trialIndex, seen) ?? first!;
    }

    private Hyperparameters Propose(int trialIndex, int attempt, List<TrialOutcome> good, List<TrialOutcome> bad)
    {
        var config = Hyperparameters.Empty;
        for (var i = 0; i < space.Params.Count; i++)
        {
            var p = space.Params[i];
            if (!p.IsActive(config)) continue;
            var rng = new SplitMix(Seeds.Derive(seed, trialIndex, attempt, i));
            config = config.With(p.Name, p.IsCategorical ? ProposeCategorical(p, good, bad, ref rng) : ProposeNumeric(p, good, bad, ref rng));
        }
        return config;
    }

    /// <summary>The parameter's values in the outcomes where it is present, oldest trial first.</summary>
    private static IEnumerable<string> ValuesOf(Param p, List<TrialOutcome> outcomes) =>
        outcomes.Select(o => o.Config.Values.GetValueOrDefault(p.Name)).OfType<string>();

    private static string ProposeNumeric(Param p, List<TrialOutcome> good, List<TrialOutcome> bad, ref SplitMix rng)
    {
        List<double> Observations(List<TrialOutcome> set) => ValuesOf(p, set).Select(p.ToInternal).OfType<double>().ToList();
        var l = Parzen.Fit(Observations(good), p.Low, p.High);
        var g = Parzen.Fit(Observations(bad), p.Low, p.High);
        double best = 0, bestScore = double.NegativeInfinity;
        for (var c = 0; c < Candidates; c++)
        {
            var x = p.Snap(l.Sample(ref rng));
            var score = l.LogPdf(x) - g.LogPdf(x);
            if (c == 0 || score > bestScore) (best, bestScore) = (x, score);
        }
        return p.FromInternal(best);
    }

    private static string ProposeCategorical(Param p, List<TrialOutcome> good, List<TrialOutcome> bad, ref SplitMix rng)
    {
        List<int> Observations(List<TrialOutcome> set) => ValuesOf(p, set).Select(v => p.Values.ToList().IndexOf(v)).Where(i => i >= 0).ToList();
        var l = CategoricalPdf(Observations(good), p.Values.Count);
        var g = CategoricalPdf(Observations(bad), p.Values.Count);
        int best = 0;
        var bestScore = double.NegativeInfinity;
        for (var c = 0; c < Candidates; c++)
        {
            var x = SampleIndex(l, rng.NextDouble());
            var score = Math.Log(l[x]) - Math.Log(g[x]);
            if (c == 0 || score > bestScore) (best, bestScore) = (x, score);
        }
        return p.Values[best];
    }

    /// <summary>
    /// Optuna's categorical Parzen estimator: one kernel per observation (mass 1 on the observed value plus a prior
    /// weight of 1 spread evenly over the kernels and values) and a uniform prior kernel, mixed with <see cref="Weights"/>.
    /// </summary>
    internal static double[] CategoricalPdf(IReadOnlyList<int> observed, int k)
    {
        var pdf = new double[k];
        if (observed.Count == 0)
        {
            Array.Fill(pdf, 1.0 / k);
            return pdf;
        }
        var w = Weights(observed.Count);
        var kernels = observed.Count + 1;
        var smoothing = 1.0 / kernels;
        var rowSum = 1 + k * smoothing;
        for (var i = 0; i < observed.Count; i++)
        {
            for (var c = 0; c < k; c++) pdf[c] += w[i] * smoothing / rowSum;
            pdf[observed[i]] += w[i] / rowSum;
        }
        for (var c = 0; c < k; c++) pdf[c] += w[^1] / k;
        return pdf;
    }

    /// <summary>
    /// Optuna's mixture weights for n observations (oldest first) plus the prior, normalised: all 1 below 25
    /// observations; from 25 on, the oldest n − 25 ramp linearly from 1/n up to 1; the prior weighs 1.
    /// </summary>
    internal static double[] Weights(int n)
    {
        var w = new double[n + 1];
        var ramp = Math.Max(0, n - 25);
        for (var i = 0; i < n; i++)
            w[i] = i >= ramp ? 1 : ramp == 1 ? 1.0 / n : 1.0 / n + i * (1 - 1.0 / n) / (ramp - 1);
        w[n] = 1;
        var sum = w.Sum();
        for (var i = 0; i <= n; i++) w[i] /= sum;
        return w;
    }

    /// <summary>The index whose cumulative probability first exceeds <paramref name="u"/>.</summary>
    internal static int SampleIndex(double[] pdf, double u)
    {
        var acc = 0.0;
        for (var i = 0; i < pdf.Length; i++)
        {
            acc += pdf[i];
            if (u < acc) return i;
        }
        return pdf.Length - 1;
    }
}

/// <summary>
/// A one-dimensional Parzen estimator as in Optuna (univariate, consider_prior, magic clip, no endpoints):
/// a mixture of normals truncated to [low, high], one per observation at the observed value plus a prior component
/// at the range centre with sigma = range width. An observation's sigma is the larger distance to its two neighbours
/// among the sorted observations and the prior mean (the outermost points: the distance to their one neighbour),
/// clipped to [range / min(100, n + 2), range].
/// </summary>
internal sealed class Parzen
{
    private readonly double[] _mu, _sigma, _logWeight, _logMass, _weight;
    private readonly double _low, _high;

    private Parzen(double[] mu, double[] sigma, double[] weight, double low, double high)
    {
        (_mu, _sigma, _weight, _low, _high) = (mu, sigma, weight, low, high);
        _logWeight = weight.Select(w => Math.Log(w)).ToArray();
        _logMass = mu.Select((m, k) => Math.Log(Phi((high - m) / sigma[k]) - Phi((low - m) / sigma[k]))).ToArray();
    }

    public static Parzen Fit(IReadOnlyList<double> observations, double low, double high)
    {
        var n = observations.Count;
        var range = high - low;
        var mu = observations.Append((low + high) / 2).ToArray();
        var sigma = new double[n + 1];
        sigma[n] = range;
        if (n > 0)
        {
            var order = Enumerable.Range(0, n + 1).OrderBy(i => mu[i]).ThenBy(i => i).ToArray();
            var sorted = order.Select(i => mu[i]).ToArray();
            var minSigma = range / Math.Min(100.0, n + 2);
            for (var j = 0; j <= n; j++)
            {
                var left = j == 0 ? low : sorted[j - 1];
                var right = j == n ? high : sorted[j + 1];
                var s = j == 0 ? right - sorted[j] : j == n ? sorted[j] - left : Math.Max(sorted[j] - left, right - sorted[j]);
                if (order[j] < n) sigma[order[j]] = Math.Clamp(s, minSigma, range);
            }
        }
        return new Parzen(mu, sigma, TpeSampler.Weights(n), low, high);
    }

    public double Sample(ref SplitMix rng)
    {
        var k = TpeSampler.SampleIndex(_weight, rng.NextDouble());
        var (m, s) = (_mu[k], _sigma[k]);
        var a = Phi((_low - m) / s);
        var b = Phi((_high - m) / s);
        var z = Normal.InvCDF(0, 1, a + rng.NextDouble() * (b - a));
        return Math.Clamp(m + s * z, _low, _high);
    }

    public double LogPdf(double x)
    {
        var terms = new double[_mu.Length];
        for (var k = 0; k < _mu.Length; k++)
        {
            var z = (x - _mu[k]) / _sigma[k];
            terms[k] = _logWeight[k] - 0.5 * z * z - Math.Log(_sigma[k]) - 0.5 * Math.Log(2 * Math.PI) - _logMass[k];
        }
        var max = terms.Max();
        return max + Math.Log(terms.Sum(t => Math.Exp(t - max)));
    }

    private static double Phi(double z) => 0.5 * SpecialFunctions.Erfc(-z / Math.Sqrt(2));
}
