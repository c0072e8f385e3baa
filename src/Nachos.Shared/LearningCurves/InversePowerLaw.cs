using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Nachos.Shared.LearningCurves;

/// <summary>
/// metric(n) = a − b·n^(−c): a learning curve's inverse power law in the number of training images n. a is the metric the
/// curve levels off at (more data of the same kind), b how far below it the curve starts, c how fast it closes the gap.
/// </summary>
public sealed record InversePowerLaw(double A, double B, double C)
{
    private static readonly double[] StartingExponents = [0.5, 0.1, 1, 2];

    public double At(double n) => A - B * Math.Pow(n, -C);

    /// <summary>
    /// The least-squares fit to (n, metric) points with c &gt; 0 and the level a in [<paramref name="lowest"/>, <paramref name="highest"/>]
    /// (a metric's range), by Levenberg–Marquardt (MathNet.Numerics), as scipy.optimize.curve_fit with those bounds finds it:
    /// points that do not level off would otherwise give a huge a with c near 0 (a logarithm in disguise); then a sits on the
    /// bound. Null when nothing converges to a finite curve, or when fewer than 3 distinct n are given.
    /// </summary>
    /// <param name="start">Start from this curve only (a bootstrap refit starts from the fit of all points).</param>
    /// <remarks>
    /// Fitted in u = n / max(n) (b_u = b·max(n)^(−c)), which keeps the Jacobian well scaled whatever the dataset's size. Starts:
    /// a = the largest metric at the largest n, c = 0.5, 0.1, 1 and 2, b_u from the mean metric at the smallest n; of the
    /// acceptable fits the one with the smallest sum of squares is kept.
    /// </remarks>
    public static InversePowerLaw? Fit(IReadOnlyList<double> n, IReadOnlyList<double> metric, double lowest = double.NegativeInfinity,
        double highest = double.PositiveInfinity, InversePowerLaw? start = null)
    {
        if (n.Count != metric.Count) throw new ArgumentException($"{n.Count} sizes but {metric.Count} metric values");
        if (n.Any(x => !(x > 0) || !double.IsFinite(x)) || metric.Any(y => !double.IsFinite(y)))
            throw new ArgumentException("sizes must be positive and finite, metric values finite");
        if (n.Distinct().Count() < 3) return null;
        var scale = n.Max();
        var u = Vector<double>.Build.DenseOfEnumerable(n.Select(x => x / scale));
        var y = Vector<double>.Build.DenseOfEnumerable(metric);
        var smallest = n.Min();
        var a0 = Enumerable.Range(0, n.Count).Where(i => n[i] == scale).Max(i => metric[i]);
        var yLow = Enumerable.Range(0, n.Count).Where(i => n[i] == smallest).Average(i => metric[i]);
        IObjectiveModel Model() => ObjectiveFunction.NonlinearModel(
            (Vector<double> p, Vector<double> x) => Vector<double>.Build.Dense(x.Count, i => p[0] - p[1] * Math.Pow(x[i], -p[2])),
            (Vector<double> p, Vector<double> x) => Matrix<double>.Build.Dense(x.Count, 3, (i, j) =>
            {
                var power = Math.Pow(x[i], -p[2]);
                return j switch { 0 => 1, 1 => -power, _ => p[1] * power * Math.Log(x[i]) };
            }),
            u, y);
        // Several starting exponents: on noisy points one start can run off to c <= 0 where another finds the minimum.
        var starts = start is { } s
            ? [[Math.Clamp(s.A, lowest, highest), s.B * Math.Pow(scale, -s.C), s.C]]
            : StartingExponents.Select(c0 => (double[])[a0, (a0 - yLow) * Math.Pow(smallest / scale, c0) is var b0 && b0 != 0 ? b0 : 1e-3, c0]).ToList();
        var (best, bestResidual) = Best(Model, starts, u, y, null, lowest, highest);
        // Points still rising (or falling) at the largest n put the free optimum's level outside the metric's range: then the
        // constrained optimum has a on that bound (scipy's curve_fit with bounds finds the same), fitted with a held there.
        foreach (var bound in new[] { highest, lowest }.Where(double.IsFinite))
        {
            var (held, residual) = Best(Model, starts.Select(g => (double[])[bound, g[1], g[2]]).ToList(), u, y, bound, lowest, highest);
            if (held is not null && residual < bestResidual - 1e-15) (best, bestResidual) = (held, residual);
        }
        if (best is not { } p) return null;
        var fit = new InversePowerLaw(p[0], p[1] * Math.Pow(scale, p[2]), p[2]);
        return double.IsFinite(fit.B) ? fit : null;
    }

    /// <summary>The acceptable Levenberg–Marquardt result (c &gt; 0, a in range) with the smallest sum of squares over the starts; a held at <paramref name="level"/> when given.</summary>
    private static (Vector<double>? Best, double Residual) Best(Func<IObjectiveModel> model, IReadOnlyList<double[]> starts, Vector<double> u, Vector<double> y,
        double? level, double lowest, double highest)
    {
        Vector<double>? best = null;
        var bestResidual = double.PositiveInfinity;
        foreach (var guess in starts)
        {
            NonlinearMinimizationResult result;
            try
            {
                result = new LevenbergMarquardtMinimizer(maximumIterations: 300)
                    .FindMinimum(model(), Vector<double>.Build.DenseOfArray(guess), isFixed: level is null ? null : [true, false, false]);
            }
            catch (Exception e) when (e is MaximumIterationsException or ArithmeticException or ArgumentException)
            {
                continue;
            }
            var q = result.MinimizingPoint;
            if (result.ReasonForExit is ExitCondition.ExceedIterations or ExitCondition.InvalidValues || q.Any(v => !double.IsFinite(v)) || !(q[2] > 0)
                || q[0] < lowest - 1e-9 || q[0] > highest + 1e-9) continue;
            var residual = Enumerable.Range(0, u.Count).Sum(i => Math.Pow(y[i] - (q[0] - q[1] * Math.Pow(u[i], -q[2])), 2));
            if (residual < bestResidual - 1e-15)
            {
                best = q;
                bestResidual = residual;
            }
        }
        return (best, bestResidual);
    }
}
