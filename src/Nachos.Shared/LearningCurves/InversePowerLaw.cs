using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Nachos.Shared.LearningCurves;

/// <summary>
/// metric(n) = a − b·n^(−c): a learning curve's inverse power law in the number of training images n. a is the metric the
/// curve levels off at (more data of the same kind), b how far below it the curve starts, c how fast it closes the gap.
/// </summary>
public sealed record InversePowerLaw(double A, double B, double C)
{
    public double At(double n) => A - B * Math.Pow(n, -C);

    /// <summary>
    /// The least-squares fit to (n, metric) points by Levenberg–Marquardt (MathNet.Numerics), as scipy.optimize.curve_fit
    /// does; null when it does not converge to a finite curve with c &gt; 0, or when fewer than 3 distinct n are given.
    /// </summary>
    /// <remarks>
    /// Fitted in u = n / max(n) (b_u = b·max(n)^(−c)), which keeps the Jacobian well scaled whatever the dataset's size. Start:
    /// a = the largest metric at the largest n, c = 0.5, b_u from the mean metric at the smallest n.
    /// </remarks>
    public static InversePowerLaw? Fit(IReadOnlyList<double> n, IReadOnlyList<double> metric)
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
        var b0 = (a0 - yLow) * Math.Pow(smallest / scale, 0.5);
        var model = ObjectiveFunction.NonlinearModel(
            (Vector<double> p, Vector<double> x) => Vector<double>.Build.Dense(x.Count, i => p[0] - p[1] * Math.Pow(x[i], -p[2])),
            (Vector<double> p, Vector<double> x) => Matrix<double>.Build.Dense(x.Count, 3, (i, j) =>
            {
                var power = Math.Pow(x[i], -p[2]);
                return j switch { 0 => 1, 1 => -power, _ => p[1] * power * Math.Log(x[i]) };
            }),
            u, y);
        NonlinearMinimizationResult result;
        try
        {
            result = new LevenbergMarquardtMinimizer(maximumIterations: 1000)
                .FindMinimum(model, Vector<double>.Build.DenseOfArray([a0, b0 == 0 ? 1e-3 : b0, 0.5]));
        }
        catch (Exception e) when (e is MaximumIterationsException or ArithmeticException or ArgumentException)
        {
            return null;
        }
        var p = result.MinimizingPoint;
        if (result.ReasonForExit is ExitCondition.ExceedIterations or ExitCondition.InvalidValues || p.Any(v => !double.IsFinite(v)) || !(p[2] > 0))
            return null;
        var fit = new InversePowerLaw(p[0], p[1] * Math.Pow(scale, p[2]), p[2]);
        return double.IsFinite(fit.B) ? fit : null;
    }
}
