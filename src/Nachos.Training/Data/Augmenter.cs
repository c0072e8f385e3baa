using Nachos.Shared.Spec;
using Nachos.Shared.Seeding;

namespace Nachos.Training.Data;

/// <summary>
/// Per-image augmentation on planar floats: one bilinear resampling for random resized crop, rotation and
/// flips together (edges replicated), then the strong policy's operations (<see cref="StrongAugment"/>) when
/// chosen, then intensity shift and contrast scaling. A segmentation mask, when given, follows the same
/// resampling with nearest-neighbour sampling and skips every photometric change. All randomness comes from
/// the stream passed in, which callers derive from (seed, epoch, position): no hidden state. Writes into
/// <c>img</c> and allocates nothing once the <c>scratch</c> argument has grown to the image (the batch pipeline
/// reuses them), so preparing a batch beside training does not provoke garbage collections while the
/// training thread is inside libtorch (TorchSharp's implicit scalars are only safe from finalisation then).
/// Without a scratch, the strong policy allocates one per call (tests).
/// </summary>
public static class Augmenter
{
    public static void Apply(ReadOnlySpan<float> src, Span<float> img, int channels, int h, int w, AugmentationSpec a, ref SplitMix rng,
        AugmentationScratch? scratch = null)
    {
        if (IsGeometric(a))
            Bilinear(src, img, channels, h, w, Warp.Draw(h, w, a, ref rng));
        else
            src.CopyTo(img);
        Photometric(img, channels, h, w, a, ref rng, scratch);
    }

    /// <summary>
    /// <see cref="Apply(ReadOnlySpan{float}, Span{float}, int, int, int, AugmentationSpec, ref SplitMix, AugmentationScratch)"/> for an
    /// image and its label mask (one h×w plane): the image gets exactly what <c>Apply</c> gives it from the same
    /// stream, the mask the same geometric transform with nearest-neighbour sampling (the source pixel with the
    /// largest bilinear weight, so labels are never mixed), and no intensity or contrast change.
    /// </summary>
    public static void Apply<TLabel>(ReadOnlySpan<float> src, Span<float> img, ReadOnlySpan<TLabel> srcMask, Span<TLabel> mask,
        int channels, int h, int w, AugmentationSpec a, ref SplitMix rng, AugmentationScratch? scratch = null) where TLabel : unmanaged
    {
        if (srcMask.Length != h * w || mask.Length != h * w)
            throw new ArgumentException($"a mask needs {h}×{w} = {h * w} labels; got {srcMask.Length} in and {mask.Length} out");
        if (IsGeometric(a))
        {
            var warp = Warp.Draw(h, w, a, ref rng);
            Bilinear(src, img, channels, h, w, warp);
            Nearest(srcMask, mask, h, w, warp);
        }
        else
        {
            src.CopyTo(img);
            srcMask.CopyTo(mask);
        }
        Photometric(img, channels, h, w, a, ref rng, scratch);
    }

    private static bool IsGeometric(AugmentationSpec a) => a.HorizontalFlip || a.VerticalFlip || a.RotationDegrees > 0 || a.CropScaleMin < 1;

    private static void Photometric(Span<float> img, int channels, int h, int w, AugmentationSpec a, ref SplitMix rng, AugmentationScratch? scratch)
    {
        if (a.Policy == AugmentationPolicy.Strong)
            StrongAugment.Apply(img, channels, h, w, ref rng, scratch ?? new AugmentationScratch());
        if (a.Intensity > 0 || a.Contrast > 0)
        {
            var shift = (float)(a.Intensity * (2 * rng.NextDouble() - 1));
            var factor = (float)(1 + a.Contrast * (2 * rng.NextDouble() - 1));
            var plane = h * w;
            for (var c = 0; c < channels; c++)
            {
                float mean = 0;
                for (var i = 0; i < plane; i++) mean += img[c * plane + i];
                mean /= plane;
                for (var i = 0; i < plane; i++)
                    img[c * plane + i] = (img[c * plane + i] - mean) * factor + mean + shift;
            }
        }
    }

    /// <summary>
    /// One random crop, rotation and flip as an affine map from output pixel (u, v) to source position
    /// (ox + u·dxu + v·dxv, oy + u·dyu + v·dyv).
    /// </summary>
    private readonly record struct Warp(double Ox, double Oy, double Dxu, double Dxv, double Dyu, double Dyv)
    {
        public static Warp Draw(int h, int w, AugmentationSpec a, ref SplitMix rng)
        {
            // Crop window (as a fraction of the image) with area in [CropScaleMin, 1] and aspect in [3/4, 4/3].
            double cw = 1, ch = 1;
            if (a.CropScaleMin < 1)
            {
                var area = a.CropScaleMin + (1 - a.CropScaleMin) * rng.NextDouble();
                var aspect = Math.Exp(Math.Log(3.0 / 4) + (Math.Log(4.0 / 3) - Math.Log(3.0 / 4)) * rng.NextDouble());
                cw = Math.Min(1, Math.Sqrt(area * aspect));
                ch = Math.Min(1, Math.Sqrt(area / aspect));
            }
            var cx = 0.5 + (1 - cw) * (rng.NextDouble() - 0.5);
            var cy = 0.5 + (1 - ch) * (rng.NextDouble() - 0.5);
            var theta = a.RotationDegrees > 0 ? a.RotationDegrees * (2 * rng.NextDouble() - 1) * Math.PI / 180 : 0;
            var fx = a.HorizontalFlip && rng.NextDouble() < 0.5 ? -1 : 1;
            var fy = a.VerticalFlip && rng.NextDouble() < 0.5 ? -1 : 1;
            double cos = Math.Cos(theta), sin = Math.Sin(theta);

            // Output pixel (u, v) → centred unit coordinates → flip, crop scale, rotate → source pixel.
            double ax = fx * cw / w, ay = fy * ch / h;
            return new Warp(
                Ox: (cos * (0.5 * ax - 0.5 * fx * cw) - sin * (0.5 * ay - 0.5 * fy * ch) + cx) * w - 0.5,
                Oy: (sin * (0.5 * ax - 0.5 * fx * cw) + cos * (0.5 * ay - 0.5 * fy * ch) + cy) * h - 0.5,
                Dxu: cos * ax * w, Dxv: -sin * ay * w, Dyu: sin * ax * h, Dyv: cos * ay * h);
        }
    }

    // Both samplers step the affine map incrementally and clamp to the image (edges replicated), so they see the
    // same source position for every output pixel.
    private static void Bilinear(ReadOnlySpan<float> src, Span<float> dst, int channels, int h, int w, Warp m)
    {
        var plane = h * w;
        for (var v = 0; v < h; v++)
        {
            var sx = m.Ox + v * m.Dxv;
            var sy = m.Oy + v * m.Dyv;
            for (var u = 0; u < w; u++, sx += m.Dxu, sy += m.Dyu)
            {
                var px = (float)Math.Clamp(sx, 0, w - 1);
                var py = (float)Math.Clamp(sy, 0, h - 1);
                var x0 = (int)px;
                var y0 = (int)py;
                var x1 = Math.Min(x0 + 1, w - 1);
                var y1 = Math.Min(y0 + 1, h - 1);
                var wx = px - x0;
                var wy = py - y0;
                for (var c = 0; c < channels; c++)
                {
                    var o = c * plane;
                    var top = src[o + y0 * w + x0] + (src[o + y0 * w + x1] - src[o + y0 * w + x0]) * wx;
                    var bottom = src[o + y1 * w + x0] + (src[o + y1 * w + x1] - src[o + y1 * w + x0]) * wx;
                    dst[o + v * w + u] = top + (bottom - top) * wy;
                }
            }
        }
    }

    private static void Nearest<TLabel>(ReadOnlySpan<TLabel> src, Span<TLabel> dst, int h, int w, Warp m) where TLabel : unmanaged
    {
        for (var v = 0; v < h; v++)
        {
            var sx = m.Ox + v * m.Dxv;
            var sy = m.Oy + v * m.Dyv;
            for (var u = 0; u < w; u++, sx += m.Dxu, sy += m.Dyu)
            {
                var px = (float)Math.Clamp(sx, 0, w - 1);
                var py = (float)Math.Clamp(sy, 0, h - 1);
                var x0 = (int)px;
                var y0 = (int)py;
                var x = px - x0 < 0.5f ? x0 : Math.Min(x0 + 1, w - 1);
                var y = py - y0 < 0.5f ? y0 : Math.Min(y0 + 1, h - 1);
                dst[v * w + u] = src[y * w + x];
            }
        }
    }
}
