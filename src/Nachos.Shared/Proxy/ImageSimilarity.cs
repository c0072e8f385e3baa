namespace Nachos.Shared.Proxy;

/// <summary>
/// Per-image scores for proxy-data selection, on decoded pixels in [0, 1] (any layout, compared element by element).
/// Histograms have <see cref="Bins"/> equal bins over [0, 1]: bin = floor(v · Bins), clamped to [0, Bins − 1].
/// Logarithms are natural (nats), as scikit-learn's mutual_info_score and SciPy's entropy.
/// </summary>
public static class ImageSimilarity
{
    public const int Bins = 32;

    public static int Bin(double v) => v <= 0 ? 0 : v >= 1 ? Bins - 1 : Math.Min(Bins - 1, (int)(v * Bins));

    /// <summary>Mutual information of the binned intensities of <paramref name="image"/> and <paramref name="reference"/>, pixel by pixel.</summary>
    public static double MutualInformation(ReadOnlySpan<float> image, ReadOnlySpan<double> reference)
    {
        SameLength(image.Length, reference.Length);
        var joint = new long[Bins * Bins];
        var a = new long[Bins];
        var b = new long[Bins];
        for (var i = 0; i < image.Length; i++)
        {
            int x = Bin(image[i]), y = Bin(reference[i]);
            joint[x * Bins + y]++;
            a[x]++;
            b[y]++;
        }
        double n = image.Length, mi = 0;
        for (var x = 0; x < Bins; x++)
            for (var y = 0; y < Bins; y++)
            {
                var c = joint[x * Bins + y];
                if (c > 0) mi += c / n * Math.Log(c * n / ((double)a[x] * b[y]));
            }
        return Math.Max(0, mi); // rounding can leave −1e-16 for independent images
    }

    /// <summary>
    /// Normalised cross-correlation (Pearson's r over pixels) of <paramref name="image"/> and <paramref name="reference"/>;
    /// 0 when either is constant (r is undefined there; a flat image matches no structure).
    /// </summary>
    public static double Ncc(ReadOnlySpan<float> image, ReadOnlySpan<double> reference)
    {
        SameLength(image.Length, reference.Length);
        double ma = 0, mb = 0;
        for (var i = 0; i < image.Length; i++)
        {
            ma += image[i];
            mb += reference[i];
        }
        ma /= image.Length;
        mb /= image.Length;
        double sab = 0, saa = 0, sbb = 0;
        for (var i = 0; i < image.Length; i++)
        {
            double da = image[i] - ma, db = reference[i] - mb;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        return saa > 0 && sbb > 0 ? Math.Clamp(sab / Math.Sqrt(saa * sbb), -1, 1) : 0;
    }

    /// <summary>Shannon entropy of the image's intensity histogram; 0 for a constant image.</summary>
    public static double Entropy(ReadOnlySpan<float> image)
    {
        if (image.Length == 0) throw new ArgumentException("an empty image has no histogram");
        var counts = new long[Bins];
        foreach (var v in image) counts[Bin(v)]++;
        double n = image.Length, h = 0;
        foreach (var c in counts)
            if (c > 0) h -= c / n * Math.Log(c / n);
        return h;
    }

    /// <summary>The pixel-wise mean of <paramref name="images"/> (all the same length).</summary>
    public static double[] Mean(IReadOnlyList<float[]> images)
    {
        if (images.Count == 0) throw new ArgumentException("no images to average");
        var mean = new double[images[0].Length];
        foreach (var image in images)
        {
            SameLength(image.Length, mean.Length);
            for (var i = 0; i < mean.Length; i++) mean[i] += image[i];
        }
        for (var i = 0; i < mean.Length; i++) mean[i] /= images.Count;
        return mean;
    }

    private static void SameLength(int a, int b)
    {
        if (a != b) throw new ArgumentException($"images of different sizes ({a} and {b} values)");
        if (a == 0) throw new ArgumentException("an empty image");
    }
}
