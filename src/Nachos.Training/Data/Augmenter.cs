using Nachos.Shared.Spec;
using Nachos.Shared.Tasks;

namespace Nachos.Training.Data;

/// <summary>
/// Per-image augmentation on planar floats: one bilinear resampling for random resized crop, rotation and
/// flips together (edges replicated), then intensity shift and contrast scaling. All randomness comes from
/// the stream passed in, which callers derive from (seed, epoch, position): no hidden state. Writes into
/// <c>img</c> and allocates nothing, so the batch thread does not provoke garbage collections while the
/// training thread is inside libtorch (TorchSharp's implicit scalars are only safe from finalisation then).
/// </summary>
public static class Augmenter
{
    public static void Apply(ReadOnlySpan<float> src, Span<float> img, int channels, int h, int w, AugmentationSpec a, ref SplitMix rng)
    {
        if (a.HorizontalFlip || a.VerticalFlip || a.RotationDegrees > 0 || a.CropScaleMin < 1)
            Geometric(src, img, channels, h, w, a, ref rng);
        else
            src.CopyTo(img);
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

    private static void Geometric(ReadOnlySpan<float> src, Span<float> dst, int channels, int h, int w, AugmentationSpec a, ref SplitMix rng)
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
        // The map is affine, so sx = x0 + u·dxu + v·dxv (and likewise sy), stepped incrementally.
        double ax = fx * cw / w, ay = fy * ch / h;
        double dxu = cos * ax * w, dxv = -sin * ay * w, dyu = sin * ax * h, dyv = cos * ay * h;
        double ox = (cos * (0.5 * ax - 0.5 * fx * cw) - sin * (0.5 * ay - 0.5 * fy * ch) + cx) * w - 0.5;
        double oy = (sin * (0.5 * ax - 0.5 * fx * cw) + cos * (0.5 * ay - 0.5 * fy * ch) + cy) * h - 0.5;
        var plane = h * w;
        for (var v = 0; v < h; v++)
        {
            var sx = ox + v * dxv;
            var sy = oy + v * dyv;
            for (var u = 0; u < w; u++, sx += dxu, sy += dyu)
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
}
