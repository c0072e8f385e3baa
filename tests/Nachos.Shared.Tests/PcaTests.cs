using Nachos.Shared.Projection;

namespace Nachos.Shared.Tests;

/// <summary><see cref="Pca"/> against scikit-learn's PCA (Reference/pca.py), signs included.</summary>
public sealed class PcaTests
{
    private static IReadOnlyList<IReadOnlyList<double>> Rows(double[] flat, int columns) =>
        [.. flat.Chunk(columns).Select(r => (IReadOnlyList<double>)r)];

    private static void Close(double[] expected, IEnumerable<double> actual, double tolerance = 1e-9)
    {
        var a = actual.ToArray();
        Assert.Equal(expected.Length, a.Length);
        for (var i = 0; i < a.Length; i++) Assert.True(Math.Abs(expected[i] - a[i]) < tolerance, $"value {i}: expected {expected[i]}, got {a[i]}");
    }

    [Fact]
    public void More_rows_than_features_gives_scikit_learns_scores_components_and_variances()
    {
        var fit = Pca.Fit(Rows(
        [
            6.12, -3.83, 0.42, -0.28, -1.36, -0.32, -2.02, -0.12, -2.6, 4.98, 0.23, -0.18, -0.84, -1.0, -1.06, -0.2, 1.45, -0.36, 0.96, -0.1,
            0.07, 2.32, 0.55, -0.25, -0.55, 0.81, 1.94, -0.13, -0.73, 1.5, -0.89, -0.15, 2.65, 0.87, 0.09, 0.34, -8.48, 1.53, -0.96, -0.83,
        ], 4), 2);
        Close([7.80469258658, -1.45230564381, -0.635553445068, -1.8391574913, -3.69623860944, 3.11028114098, 0.198623116586, -1.91952632769,
            2.21474208404, 0.141911912571, -0.166961902448, 1.83435952767, 0.0143324286705, 0.804043102205, -0.693695717503, 0.350347919407,
            2.74449850337, 1.35335453348, -7.78443904479, -2.38330867352], fit.Scores.SelectMany(r => r));
        Close([0.909080206457, -0.404074955397, 0.0935677397212, 0.0392643188291, 0.346435613397, 0.867475586037, 0.349262846104, 0.0740536139035],
            fit.Components.SelectMany(r => r));
        Close([-0.427, 0.65, -0.074, -0.19], fit.Mean);
        Close([16.5069918636, 3.39067706984], fit.ExplainedVariance);
        Close([0.792364134562, 0.162758358653], fit.ExplainedVarianceRatio);
    }

    [Fact]
    public void More_features_than_rows_gives_scikit_learns_values()
    {
        var fit = Pca.Fit(Rows(
        [
            -0.65, -0.17, 1.66, 0.66, -1.64, -0.01, -0.62, 0.15, -1.61, 0.24, 0.24, 1.58, 0.32, 0.51, -1.49, 2.25, -1.92, 1.1,
            -0.33, -0.88, -0.66, -0.67, 0.38, -0.11,
        ], 6), 2);
        Close([-1.01248818813, 2.23950562581, 0.2753168563, -1.6633519336, 2.37644714139, 0.443493495496, -1.63927580955, -1.0196471877],
            fit.Scores.SelectMany(r => r));
        Close([0.189583492015, 0.303950323965, -0.485708022357, 0.619263093786, -0.366603652062, 0.343329288154, 0.0059878117907,
            0.0546934524129, 0.710511004295, 0.306026022806, -0.58889747312, -0.227364739277], fit.Components.SelectMany(r => r));
        Close([3.14521929936, 3.00616399033], fit.ExplainedVariance);
        Close([0.483342638276, 0.461973266689], fit.ExplainedVarianceRatio);
    }

    [Fact]
    public void Signs_do_not_depend_on_the_data_s_sign_and_bad_input_is_refused()
    {
        double[] data = [1, 2, 3, 5, 4, 1, 0, 2, 7, 3, 1, 1];
        var fit = Pca.Fit(Rows(data, 2), 1);
        var negated = Pca.Fit(Rows([.. data.Select(v => -v)], 2), 1);
        Close(fit.Components[0], negated.Components[0]);
        Close(fit.Scores.Select(r => -r[0]).ToArray(), negated.Scores.Select(r => r[0]));
        Assert.Equal(2, Pca.Fit(Rows(data, 2), 5).Components.Length); // at most min(n, d)
        Assert.Throws<ArgumentException>(() => Pca.Fit(Rows([1, 2], 2), 1));
        Assert.Throws<ArgumentException>(() => Pca.Fit([[1, 2], [3]], 1));
        Assert.Throws<ArgumentException>(() => Pca.Fit([[1, double.NaN], [3, 4]], 1));
    }
}
