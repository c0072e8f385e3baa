using Nachos.Shared.Proxy;

namespace Nachos.Shared.Tests;

/// <summary>
/// The proxy-data scores against reference values computed beforehand with scikit-learn 1.2 and NumPy/SciPy on the same
/// arrays: mutual_info_score on the 32-bin intensities (clip(floor(32·v), 0, 31)), numpy.corrcoef, scipy.stats.entropy
/// of the 32-bin counts (see docs/search.md).
/// </summary>
public sealed class ProxySimilarityTests
{
    private const int N = 64;

    // a[i] = float32(((37 i) mod 101) / 100); b[i] = ((53 i + 7) mod 97) / 96; c[i] = 0.6 a[i] + 0.4 (i mod 8) / 7
    private static float[] A => [.. Enumerable.Range(0, N).Select(i => (float)((i * 37 % 101) / 100.0))];
    private static double[] B => [.. Enumerable.Range(0, N).Select(i => (i * 53 + 7) % 97 / 96.0)];
    private static double[] C => [.. A.Select((v, i) => 0.6 * v + 0.4 * (i % 8 / 7.0))];

    [Fact]
    public void Mutual_information_matches_scikit_learn()
    {
        Assert.Equal(2.5440911291358663, ImageSimilarity.MutualInformation(A, B), 12);
        Assert.Equal(2.4702747130513423, ImageSimilarity.MutualInformation(A, C), 12);
    }

    [Fact]
    public void Ncc_matches_numpy_corrcoef()
    {
        Assert.Equal(0.2644643866557715, ImageSimilarity.Ncc(A, B), 12);
        Assert.Equal(0.782742494702024, ImageSimilarity.Ncc(A, C), 12);
    }

    [Fact]
    public void Entropy_matches_scipy()
    {
        Assert.Equal(3.424857141568121, ImageSimilarity.Entropy(A), 12);
    }

    [Fact]
    public void Identical_images_have_ncc_one_and_mutual_information_equal_to_their_entropy()
    {
        var a = A;
        Assert.Equal(3.424857141568121, ImageSimilarity.MutualInformation(a, [.. a.Select(v => (double)v)]), 12);
        Assert.Equal(1.0, ImageSimilarity.Ncc(a, [.. a.Select(v => (double)v)]), 12);
    }

    [Fact]
    public void A_constant_image_shares_no_information_has_no_entropy_and_an_ncc_of_zero_where_numpy_gives_nan()
    {
        var flat = Enumerable.Repeat(0.5f, N).ToArray();
        Assert.Equal(0.0, ImageSimilarity.MutualInformation(flat, B));
        Assert.Equal(0.0, ImageSimilarity.Entropy(flat));
        Assert.Equal(0.0, ImageSimilarity.Ncc(flat, B));
        Assert.Equal(0.0, ImageSimilarity.Ncc(A, Enumerable.Repeat(0.25, N).ToArray()));
        Assert.False(double.IsNaN(ImageSimilarity.Ncc(flat, Enumerable.Repeat(0.25, N).ToArray())));
    }

    [Fact]
    public void A_large_image_matches_the_references()
    {
        // 512 × 512: ref[j] = ((j mod 512) + (j div 512)) / 1022; img[j] = float32(0.5 ((7919 j) mod 1009) / 1008 + 0.5 ref[j])
        const int n = 512 * 512;
        var reference = new double[n];
        var image = new float[n];
        for (var j = 0; j < n; j++)
        {
            reference[j] = (j % 512 + j / 512) / 1022.0;
            image[j] = (float)((long)j * 7919 % 1009 / 1008.0 * 0.5 + reference[j] * 0.5);
        }
        Assert.Equal(0.33140491771006464, ImageSimilarity.MutualInformation(image, reference), 10);
        Assert.Equal(0.5776408006555461, ImageSimilarity.Ncc(image, reference), 10);
        Assert.Equal(3.1398912618799812, ImageSimilarity.Entropy(image), 10);
    }

    [Fact]
    public void Values_outside_zero_one_fall_in_the_end_bins_and_sizes_must_match()
    {
        Assert.Equal(0, ImageSimilarity.Bin(-0.5));
        Assert.Equal(31, ImageSimilarity.Bin(1.0));
        Assert.Equal(31, ImageSimilarity.Bin(7));
        Assert.Equal(15, ImageSimilarity.Bin(0.5 - 1e-12));
        Assert.Contains("different sizes", Assert.Throws<ArgumentException>(() => ImageSimilarity.Ncc(A, [1.0, 2.0])).Message);
    }

    [Fact]
    public void The_mean_image_is_the_pixel_wise_mean()
    {
        var mean = ImageSimilarity.Mean([[0f, 1f, 0.5f], [1f, 1f, 0f], [0.5f, 0.25f, 0.25f]]);
        Assert.Equal([0.5, 0.75, 0.25], mean);
    }
}
