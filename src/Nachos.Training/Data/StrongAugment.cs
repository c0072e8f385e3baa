using Nachos.Shared.Seeding;

namespace Nachos.Training.Data;

/// <summary>The operations of StrongAugment (Pohjonen et al., github.com/jopo666/StrongAugment).</summary>
public enum StrongOp
{
    Red, Green, Blue, Hue, Saturation, Brightness, Contrast, Gamma, Tone, Solarize, Posterize,
    Autocontrast, Equalize, Grayscale, Sharpen, Emboss, Blur, Noise, Jpeg,
}

/// <summary>
/// The strong augmentation policy: per image 2, 3 or 4 operations (probabilities 0.5, 0.3, 0.2), distinct, drawn
/// uniformly from the pool and applied in the order drawn, each with a magnitude uniform in its range
/// (<see cref="ApplyOne"/>). The pool of an RGB image holds all 19 operations (red, green and blue scaling are three, as in
/// the reference); a one-channel image's pool leaves out the six that are RGB-only or would repeat another: hue,
/// saturation and grayscale (identities on one channel) and red/green/blue (brightness with a range down to 0).
/// Every draw comes from the stream passed in: the count, then the operations, then each one's magnitudes (and the
/// noise operation's one value per pixel) as it is applied.
/// </summary>
public static class StrongAugment
{
    private static readonly StrongOp[] RgbPool = Enum.GetValues<StrongOp>();

    private static readonly StrongOp[] GrayPool =
    [
        StrongOp.Brightness, StrongOp.Contrast, StrongOp.Gamma, StrongOp.Tone, StrongOp.Solarize, StrongOp.Posterize,
        StrongOp.Autocontrast, StrongOp.Equalize, StrongOp.Sharpen, StrongOp.Emboss, StrongOp.Blur, StrongOp.Noise, StrongOp.Jpeg,
    ];

    public const int MaxOperations = 4;

    public static ReadOnlySpan<StrongOp> Pool(int channels) => channels == 3 ? RgbPool : GrayPool;

    /// <summary>Scratch values an h×w image needs (the filters' one plane, the JPEG round trip's padded planes).</summary>
    public static int ScratchLength(int h, int w) => Math.Max(h * w, JpegRoundTrip.ScratchLength(h, w));

    /// <summary>Draws how many operations (2, 3, 4 with probabilities 0.5, 0.3, 0.2) and which, distinct, into <paramref name="chosen"/>.</summary>
    public static int Choose(int channels, ref SplitMix rng, Span<StrongOp> chosen)
    {
        var u = rng.NextDouble();
        var n = u < 0.5 ? 2 : u < 0.8 ? 3 : 4;
        var pool = Pool(channels);
        Span<StrongOp> order = stackalloc StrongOp[pool.Length];
        pool.CopyTo(order);
        for (var k = 0; k < n; k++)
        {
            var j = k + (int)(rng.NextDouble() * (order.Length - k));
            (order[k], order[j]) = (order[j], order[k]);
            chosen[k] = order[k];
        }
        return n;
    }

    /// <summary>Clips the image to [0, 1] (the reference's 8-bit range), then applies the drawn operations in order.</summary>
    public static void Apply(Span<float> img, int channels, int h, int w, ref SplitMix rng, AugmentationScratch scratch)
    {
        PhotometricOps.Clip(img);
        Span<StrongOp> ops = stackalloc StrongOp[MaxOperations];
        var n = Choose(channels, ref rng, ops);
        var buffer = scratch.Get(ScratchLength(h, w));
        for (var k = 0; k < n; k++) ApplyOne(ops[k], img, channels, h, w, ref rng, buffer);
    }

    /// <summary>
    /// One operation with its magnitude drawn uniformly: red/green/blue scaling [0, 2], hue [−0.5, 0.5] turns,
    /// saturation [0, 2], brightness, contrast and gamma [0.1, 2], tone curve two values in [0, 1], solarize threshold
    /// 0..255, posterize 1..8 bits, sharpen and emboss [0, 1], blur σ [0, 3], noise [0, 0.2], JPEG quality 0..100;
    /// autocontrast, equalize and grayscale take none.
    /// </summary>
    public static void ApplyOne(StrongOp op, Span<float> img, int channels, int h, int w, ref SplitMix rng, Span<float> scratch)
    {
        var plane = h * w;
        switch (op)
        {
            case StrongOp.Red or StrongOp.Green or StrongOp.Blue:
                PhotometricOps.ScaleChannel(img, op - StrongOp.Red, plane, Uniform(ref rng, 0, 2));
                break;
            case StrongOp.Hue: PhotometricOps.Hue(img, plane, Uniform(ref rng, -0.5, 0.5)); break;
            case StrongOp.Saturation: PhotometricOps.Saturation(img, plane, Uniform(ref rng, 0, 2)); break;
            case StrongOp.Brightness: PhotometricOps.Brightness(img, Uniform(ref rng, 0.1, 2)); break;
            case StrongOp.Contrast: PhotometricOps.Contrast(img, channels, plane, Uniform(ref rng, 0.1, 2)); break;
            case StrongOp.Gamma: PhotometricOps.Gamma(img, Uniform(ref rng, 0.1, 2)); break;
            case StrongOp.Tone:
                var m0 = Uniform(ref rng, 0, 1);
                PhotometricOps.Tone(img, m0, Uniform(ref rng, 0, 1));
                break;
            case StrongOp.Solarize: PhotometricOps.Solarize(img, (int)(rng.NextDouble() * 256)); break;
            case StrongOp.Posterize: PhotometricOps.Posterize(img, 1 + (int)(rng.NextDouble() * 8)); break;
            case StrongOp.Autocontrast: PhotometricOps.Autocontrast(img, channels, plane); break;
            case StrongOp.Equalize: PhotometricOps.Equalize(img, channels, plane); break;
            case StrongOp.Grayscale: PhotometricOps.Grayscale(img, plane); break;
            case StrongOp.Sharpen: PhotometricOps.Sharpen(img, channels, h, w, Uniform(ref rng, 0, 1), scratch); break;
            case StrongOp.Emboss: PhotometricOps.Emboss(img, channels, h, w, Uniform(ref rng, 0, 1), scratch); break;
            case StrongOp.Blur: PhotometricOps.Blur(img, channels, h, w, 3 * rng.NextDouble(), scratch); break;
            case StrongOp.Noise: PhotometricOps.Noise(img, channels, plane, Uniform(ref rng, 0, 0.2), ref rng); break;
            case StrongOp.Jpeg: JpegRoundTrip.Apply(img, channels, h, w, (int)(rng.NextDouble() * 101), scratch); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, null);
        }
    }

    private static float Uniform(ref SplitMix rng, double low, double high) => (float)(low + (high - low) * rng.NextDouble());
}
