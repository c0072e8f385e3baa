namespace Nachos.Training.Images;

/// <summary>Resampling of planar (C×H×W) float images.</summary>
public static class Resize
{
    /// <summary>Bilinear with pixel-centre alignment; box-averages first when shrinking by 2× or more, to avoid aliasing.</summary>
    public static float[] Bilinear(float[] src, int channels, int h, int w, int outH, int outW)
    {
        if (h == outH && w == outW) return src;
        while (h >= 2 * outH && w >= 2 * outW)
        {
            src = HalveBox(src, channels, h, w);
            h /= 2;
            w /= 2;
        }
        if (h == outH && w == outW) return src;
        var dst = new float[channels * outH * outW];
        var sy = (double)h / outH;
        var sx = (double)w / outW;
        for (var c = 0; c < channels; c++)
        {
            var si = c * h * w;
            var di = c * outH * outW;
            for (var y = 0; y < outH; y++)
            {
                var fy = Math.Clamp((y + 0.5) * sy - 0.5, 0, h - 1);
                var y0 = (int)fy;
                var y1 = Math.Min(y0 + 1, h - 1);
                var ay = (float)(fy - y0);
                for (var x = 0; x < outW; x++)
                {
                    var fx = Math.Clamp((x + 0.5) * sx - 0.5, 0, w - 1);
                    var x0 = (int)fx;
                    var x1 = Math.Min(x0 + 1, w - 1);
                    var ax = (float)(fx - x0);
                    var top = src[si + y0 * w + x0] * (1 - ax) + src[si + y0 * w + x1] * ax;
                    var bottom = src[si + y1 * w + x0] * (1 - ax) + src[si + y1 * w + x1] * ax;
                    dst[di + y * outW + x] = top * (1 - ay) + bottom * ay;
                }
            }
        }
        return dst;
    }

    /// <summary>
    /// Nearest-neighbour resampling of a label map (row-major, one value per pixel), pixel-centre aligned: output
    /// pixel (y, x) takes source pixel (⌊(y + ½)·h/outH⌋, ⌊(x + ½)·w/outW⌋). Values are copied, never mixed.
    /// </summary>
    public static T[] Nearest<T>(T[] src, int h, int w, int outH, int outW)
    {
        if (src.Length != h * w) throw new ArgumentException($"a {h} × {w} label map needs {h * w} values, got {src.Length}");
        if (h == outH && w == outW) return src;
        var dst = new T[outH * outW];
        var xs = new int[outW];
        for (var x = 0; x < outW; x++) xs[x] = Math.Min(w - 1, (int)((x + 0.5) * w / outW));
        for (var y = 0; y < outH; y++)
        {
            var sy = Math.Min(h - 1, (int)((y + 0.5) * h / outH));
            for (var x = 0; x < outW; x++) dst[y * outW + x] = src[sy * w + xs[x]];
        }
        return dst;
    }

    private static float[] HalveBox(float[] src, int channels, int h, int w)
    {
        int oh = h / 2, ow = w / 2;
        var dst = new float[channels * oh * ow];
        for (var c = 0; c < channels; c++)
            for (var y = 0; y < oh; y++)
                for (var x = 0; x < ow; x++)
                {
                    var s = c * h * w + 2 * y * w + 2 * x;
                    dst[c * oh * ow + y * ow + x] = (src[s] + src[s + 1] + src[s + w] + src[s + w + 1]) / 4f;
                }
        return dst;
    }
}
