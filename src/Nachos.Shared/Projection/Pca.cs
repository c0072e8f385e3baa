using MathNet.Numerics.LinearAlgebra;

namespace Nachos.Shared.Projection;

/// <summary>
/// A principal component analysis: the <see cref="Components"/> (rows, unit length), each row's <see cref="Scores"/> on
/// them, the per-feature <see cref="Mean"/> removed first, and the variance each component explains (divisor n − 1).
/// </summary>
public sealed record PcaFit(double[][] Scores, double[][] Components, double[] Mean, double[] ExplainedVariance, double[] ExplainedVarianceRatio);

/// <summary>
/// PCA by the singular value decomposition of the centred data, as scikit-learn's <c>PCA</c> (exact solver) computes it,
/// with its sign convention since version 1.5: each component's entry of largest absolute value is positive (the first
/// such entry on ties).
/// </summary>
public static class Pca
{
    /// <param name="rows">n rows of d features each (n ≥ 2).</param>
    /// <param name="components">How many components to keep; at most min(n, d).</param>
    public static PcaFit Fit(IReadOnlyList<IReadOnlyList<double>> rows, int components)
    {
        if (rows.Count < 2) throw new ArgumentException($"PCA needs at least 2 rows; got {rows.Count}");
        var d = rows[0].Count;
        if (d < 1 || rows.Any(r => r.Count != d)) throw new ArgumentException("PCA needs rows of one length, at least 1");
        if (rows.Any(r => r.Any(v => !double.IsFinite(v)))) throw new ArgumentException("PCA needs finite values");
        var n = rows.Count;
        var k = Math.Min(components, Math.Min(n, d));
        if (components < 1) throw new ArgumentException($"PCA needs at least 1 component; asked for {components}");

        var x = Matrix<double>.Build.Dense(n, d, (i, j) => rows[i][j]);
        var mean = Enumerable.Range(0, d).Select(j => x.Column(j).Average()).ToArray();
        var centred = Matrix<double>.Build.Dense(n, d, (i, j) => x[i, j] - mean[j]);
        // With more rows than features, the SVD of the thin QR's R (d×d) has the same singular values and right vectors.
        var svd = (n > d ? centred.QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin).R : centred).Svd(computeVectors: true);
        var s = svd.S;
        var vt = svd.VT;
        var componentRows = new double[k][];
        for (var c = 0; c < k; c++)
        {
            var row = vt.Row(c).ToArray();
            var largest = 0;
            for (var j = 1; j < d; j++)
                if (Math.Abs(row[j]) > Math.Abs(row[largest])) largest = j;
            if (row[largest] < 0)
                for (var j = 0; j < d; j++) row[j] = -row[j];
            componentRows[c] = row;
        }
        var scores = new double[n][];
        for (var i = 0; i < n; i++)
        {
            scores[i] = new double[k];
            for (var c = 0; c < k; c++)
            {
                double sum = 0;
                for (var j = 0; j < d; j++) sum += centred[i, j] * componentRows[c][j];
                scores[i][c] = sum;
            }
        }
        var total = Enumerable.Range(0, s.Count).Sum(i => s[i] * s[i]);
        var variance = Enumerable.Range(0, k).Select(c => s[c] * s[c] / (n - 1)).ToArray();
        var ratio = Enumerable.Range(0, k).Select(c => total > 0 ? s[c] * s[c] / total : 0).ToArray();
        return new PcaFit(scores, componentRows, mean, variance, ratio);
    }
}
