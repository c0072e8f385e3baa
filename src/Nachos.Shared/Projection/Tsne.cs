namespace Nachos.Shared.Projection;

/// <summary>
/// The settings of a t-SNE run, named and defaulted as scikit-learn's <c>TSNE</c> (1.2) names them: <see cref="Iterations"/>
/// is its <c>n_iter</c> (<c>max_iter</c> since 1.5), more than 250, the first 250 of which exaggerate P; a null <see cref="LearningRate"/>
/// is its "auto", max(n / early exaggeration / 4, 50).
/// </summary>
public sealed record TsneOptions(
    double Perplexity = 30,
    double EarlyExaggeration = 12,
    double? LearningRate = null,
    int Iterations = 1000,
    int IterationsWithoutProgress = 300,
    double MinGradientNorm = 1e-7);

/// <summary>A t-SNE embedding (n rows of 2), the KL divergence last computed (at the final iteration's start) and the index of the last iteration run.</summary>
public sealed record TsneFit(double[][] Embedding, double KlDivergence, int LastIteration);

/// <summary>
/// Exact-gradient t-SNE in two dimensions, as scikit-learn's <c>TSNE(method="exact")</c> computes it, step for step:
/// Gaussian conditional affinities with a per-point binary search of the precision for the perplexity (at most 100 halvings
/// or doublings, entropy within 1e-5 nats), P symmetrised and normalised (floored at machine epsilon), Student-t (one
/// degree of freedom) Q, 250 iterations with P exaggerated and momentum 0.5, then momentum 0.8, per-parameter gains
/// (+0.2 when the step reverses, ×0.8 otherwise, at least 0.01), and the stopping checks every 50 iterations (gradient
/// norm ≤ <see cref="TsneOptions.MinGradientNorm"/>, or no lower KL divergence for <see cref="TsneOptions.IterationsWithoutProgress"/>).
/// Deterministic: the default start is the PCA scores (<see cref="Pca"/>) scaled so the first column's standard deviation is
/// 1e-4, as scikit-learn's init="pca" does (it uses a randomized SVD in single precision, this one an exact one in double;
/// as the descent is chaotic, the two then end in different maps of like quality). O(n²) time per iteration and memory.
/// </summary>
public static class Tsne
{
    /// <summary>The number of iterations with exaggerated P (scikit-learn's <c>_EXPLORATION_N_ITER</c>), <see cref="TsneOptions.Iterations"/> must exceed it.</summary>
    public const int ExplorationIterations = 250;

    private const int CheckEvery = 50;
    private const int SearchSteps = 100;
    private const double EntropyTolerance = 1e-5;
    private const double EmptySum = 1e-8;
    private const double MinGain = 0.01;
    private static readonly double MachineEpsilon = Math.BitIncrement(1.0) - 1.0;

    /// <summary>
    /// The perplexity the dashboard uses for n points: 30 (scikit-learn's default) unless n is small, then (n − 1) / 3 (at
    /// least 1), so each point's effective neighbourhood (about 3 × perplexity points) fits in the data.
    /// </summary>
    public static double DefaultPerplexity(int n) => Math.Min(30, Math.Max(1, (n - 1) / 3.0));

    /// <summary>The squared Euclidean distances between the rows (n × n, zero diagonal).</summary>
    public static double[][] SquaredDistances(IReadOnlyList<IReadOnlyList<double>> rows)
    {
        var n = rows.Count;
        var d = rows.Count == 0 ? 0 : rows[0].Count;
        var x = rows.Select(r => r.ToArray()).ToArray();
        var result = new double[n][];
        for (var i = 0; i < n; i++) result[i] = new double[n];
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++)
            {
                double sum = 0;
                for (var f = 0; f < d; f++)
                {
                    var diff = x[i][f] - x[j][f];
                    sum += diff * diff;
                }
                result[i][j] = result[j][i] = sum;
            }
        return result;
    }

    /// <summary>
    /// Row i: p(j | i) ∝ exp(−β_i d²_ij) over j ≠ i, with β_i found by binary search so the row's entropy is ln(perplexity);
    /// scikit-learn's <c>_binary_search_perplexity</c>. A row whose weights all underflow (isolated point, huge β) sums
    /// to 1e-8 instead of 0, as there.
    /// </summary>
    public static double[][] ConditionalProbabilities(double[][] squaredDistances, double perplexity)
    {
        var n = squaredDistances.Length;
        if (!(perplexity > 0) || !double.IsFinite(perplexity)) throw new ArgumentException($"t-SNE perplexity must be a positive number; got {perplexity}");
        var desiredEntropy = Math.Log(perplexity);
        var p = new double[n][];
        for (var i = 0; i < n; i++)
        {
            var d = squaredDistances[i];
            var row = p[i] = new double[n];
            double beta = 1, betaMin = double.NegativeInfinity, betaMax = double.PositiveInfinity;
            for (var step = 0; step < SearchSteps; step++)
            {
                double sum = 0;
                for (var j = 0; j < n; j++)
                    if (j != i)
                    {
                        row[j] = Math.Exp(-d[j] * beta);
                        sum += row[j];
                    }
                if (sum == 0) sum = EmptySum;
                double weighted = 0;
                for (var j = 0; j < n; j++)
                {
                    row[j] /= sum;
                    weighted += d[j] * row[j];
                }
                var difference = Math.Log(sum) + beta * weighted - desiredEntropy;
                if (Math.Abs(difference) <= EntropyTolerance) break;
                if (difference > 0)
                {
                    betaMin = beta;
                    beta = double.IsPositiveInfinity(betaMax) ? beta * 2 : (beta + betaMax) / 2;
                }
                else
                {
                    betaMax = beta;
                    beta = double.IsNegativeInfinity(betaMin) ? beta / 2 : (beta + betaMin) / 2;
                }
            }
        }
        return p;
    }

    /// <summary>
    /// The joint probabilities p_ij = (p(j|i) + p(i|j)) / Σ, floored at machine epsilon, condensed as SciPy's <c>pdist</c>
    /// orders pairs: (0,1), (0,2), …, (0,n−1), (1,2), …
    /// </summary>
    public static double[] JointProbabilities(double[][] squaredDistances, double perplexity)
    {
        var conditional = ConditionalProbabilities(squaredDistances, perplexity);
        var n = conditional.Length;
        double total = 0;
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                total += conditional[i][j] + conditional[j][i];
        total = Math.Max(total, MachineEpsilon);
        var p = new double[n * (n - 1) / 2];
        var k = 0;
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++)
                p[k++] = Math.Max((conditional[i][j] + conditional[j][i]) / total, MachineEpsilon);
        return p;
    }

    /// <summary>The KL divergence of Q (at <paramref name="embedding"/>, n rows of 2) from the condensed P, and its gradient; scikit-learn's <c>_kl_divergence</c>.</summary>
    public static (double Divergence, double[][] Gradient) KlDivergence(double[] p, double[][] embedding)
    {
        var n = embedding.Length;
        if (p.Length != n * (n - 1) / 2) throw new ArgumentException($"t-SNE: P has {p.Length} pairs but the embedding {n} rows");
        if (embedding.Any(r => r.Length != 2)) throw new ArgumentException("t-SNE: the embedding must have 2 columns");
        var y = embedding.SelectMany(r => r).ToArray();
        var gradient = new double[2 * n];
        var kl = Objective(p, y, new double[n * n], gradient, computeError: true);
        return (kl, [.. gradient.Chunk(2)]);
    }

    /// <summary>t-SNE of the rows from their PCA start (see the class summary).</summary>
    public static TsneFit Fit(IReadOnlyList<IReadOnlyList<double>> rows, TsneOptions options) => Fit(rows, PcaStart(rows), options);

    /// <summary>t-SNE of the rows from a given start (n rows of 2), as <c>TSNE(init=start, method="exact")</c>.</summary>
    public static TsneFit Fit(IReadOnlyList<IReadOnlyList<double>> rows, double[][] start, TsneOptions options)
    {
        var n = Check(rows, options);
        if (start.Length != n || start.Any(r => r.Length != 2 || r.Any(v => !double.IsFinite(v))))
            throw new ArgumentException($"t-SNE: the start must be {n} rows of 2 finite values");
        var p = JointProbabilities(SquaredDistances(rows), options.Perplexity);
        var learningRate = options.LearningRate ?? Math.Max(n / options.EarlyExaggeration / 4, 50);
        var y = start.SelectMany(r => r).ToArray();
        var optimizer = new Descent(p, y, learningRate, options.MinGradientNorm);

        // As scikit-learn: P scaled in place, then scaled back (so the same rounding).
        for (var k = 0; k < p.Length; k++) p[k] *= options.EarlyExaggeration;
        var (kl, last) = optimizer.Run(0, ExplorationIterations, 0.5, ExplorationIterations);
        for (var k = 0; k < p.Length; k++) p[k] /= options.EarlyExaggeration;
        (kl, last) = optimizer.Run(last + 1, options.Iterations, 0.8, options.IterationsWithoutProgress);
        return new TsneFit([.. y.Chunk(2)], kl, last);
    }

    /// <summary>The PCA scores of the rows on two components, scaled as <see cref="Start"/> does.</summary>
    public static double[][] PcaStart(IReadOnlyList<IReadOnlyList<double>> rows)
    {
        if (rows.Count < 2) throw new ArgumentException($"t-SNE needs at least 2 rows; got {rows.Count}");
        return Start(Pca.Fit(rows, 2).Scores);
    }

    /// <summary>
    /// A start from PCA scores (one or two columns): scaled so the first column's standard deviation is 1e-4 (left as
    /// they are when it is 0: all rows alike), a second column of zeros when there is one (data of one dimension).
    /// </summary>
    public static double[][] Start(IReadOnlyList<double[]> scores)
    {
        var first = scores.Select(r => r[0]).ToArray();
        var mean = first.Average();
        var std = Math.Sqrt(first.Sum(v => (v - mean) * (v - mean)) / first.Length);
        var scale = std > 0 ? 1e-4 / std : 1;
        return [.. scores.Select(r => new[] { r[0] * scale, r.Length > 1 ? r[1] * scale : 0 })];
    }

    private static int Check(IReadOnlyList<IReadOnlyList<double>> rows, TsneOptions options)
    {
        var n = rows.Count;
        if (n < 2) throw new ArgumentException($"t-SNE needs at least 2 rows; got {n}");
        var d = rows[0].Count;
        if (d < 1 || rows.Any(r => r.Count != d)) throw new ArgumentException("t-SNE needs rows of one length, at least 1");
        if (rows.Any(r => r.Any(v => !double.IsFinite(v)))) throw new ArgumentException("t-SNE needs finite values");
        if (!(options.Perplexity > 0) || options.Perplexity >= n)
            throw new ArgumentException($"t-SNE perplexity must be positive and less than the number of rows ({n}); got {options.Perplexity}");
        if (options.Iterations <= ExplorationIterations) throw new ArgumentException($"t-SNE needs more than {ExplorationIterations} iterations; got {options.Iterations}");
        if (!(options.EarlyExaggeration >= 1)) throw new ArgumentException($"t-SNE early exaggeration must be at least 1; got {options.EarlyExaggeration}");
        if (options.LearningRate is { } rate && !(rate > 0)) throw new ArgumentException($"t-SNE learning rate must be positive; got {rate}");
        return n;
    }

    /// <summary>
    /// KL(P‖Q) (when asked; NaN otherwise) and its gradient into <paramref name="gradient"/>, y being n × 2 flattened and
    /// <paramref name="weights"/> n × n scratch. Each point's gradient sums over the others in index order, as scikit-learn's
    /// does, so two coinciding points with the same affinities get the same gradient to the bit and stay together.
    /// </summary>
    private static double Objective(double[] p, double[] y, double[] weights, double[] gradient, bool computeError)
    {
        var n = y.Length / 2;
        double sum = 0;
        for (var i = 0; i < n; i++)
        {
            double xi = y[2 * i], yi = y[2 * i + 1];
            for (var j = i + 1; j < n; j++)
            {
                double dx = xi - y[2 * j], dy = yi - y[2 * j + 1];
                var w = 1 / (1 + (dx * dx + dy * dy));
                weights[i * n + j] = w;
                sum += w;
            }
        }
        var norm = 2 * sum;
        double kl = 0;
        var k = 0;
        for (var i = 0; i < n; i++)
        {
            weights[i * n + i] = 0;
            for (var j = i + 1; j < n; j++, k++)
            {
                var w = weights[i * n + j];
                var q = Math.Max(w / norm, MachineEpsilon);
                if (computeError) kl += p[k] * Math.Log(Math.Max(p[k], MachineEpsilon) / q);
                weights[i * n + j] = weights[j * n + i] = (p[k] - q) * w;
            }
        }
        for (var i = 0; i < n; i++)
        {
            double xi = y[2 * i], yi = y[2 * i + 1], gx = 0, gy = 0;
            var row = i * n;
            for (var j = 0; j < n; j++)
            {
                var w = weights[row + j];
                gx += w * (xi - y[2 * j]);
                gy += w * (yi - y[2 * j + 1]);
            }
            gradient[2 * i] = 4 * gx; // 2 (dof + 1) / dof, one degree of freedom
            gradient[2 * i + 1] = 4 * gy;
        }
        return computeError ? 2 * kl : double.NaN;
    }

    /// <summary>scikit-learn's <c>_gradient_descent</c>: momentum, gains, and its checks every 50 iterations; each stage starts with no momentum and unit gains.</summary>
    internal sealed class Descent(double[] p, double[] y, double learningRate, double minGradientNorm)
    {
        private readonly double[] _update = new double[y.Length];
        private readonly double[] _gains = new double[y.Length];
        private readonly double[] _gradient = new double[y.Length];
        private readonly double[] _weights = new double[y.Length / 2 * (y.Length / 2)];

        public (double Error, int Last) Run(int from, int to, double momentum, int withoutProgress)
        {
            Array.Clear(_update);
            Array.Fill(_gains, 1.0);
            var error = double.MaxValue;
            var best = double.MaxValue;
            var bestIteration = from;
            var i = from;
            for (; i < to; i++)
            {
                var check = (i + 1) % CheckEvery == 0;
                error = Objective(p, y, _weights, _gradient, check || i == to - 1);
                for (var c = 0; c < y.Length; c++)
                {
                    if (_update[c] * _gradient[c] < 0) _gains[c] += 0.2;
                    else _gains[c] *= 0.8;
                    _gains[c] = Math.Max(_gains[c], MinGain);
                    _gradient[c] *= _gains[c];
                    _update[c] = momentum * _update[c] - learningRate * _gradient[c];
                    y[c] += _update[c];
                }
                if (!check) continue;
                var gradientNorm = Math.Sqrt(_gradient.Sum(g => g * g));
                if (error < best)
                {
                    best = error;
                    bestIteration = i;
                }
                else if (i - bestIteration > withoutProgress) break;
                if (gradientNorm <= minGradientNorm) break;
            }
            return (error, i == to && to > from ? to - 1 : i); // Python's loop variable after the loop
        }
    }
}
