using System.Numerics;
using Nachos.Shared.Seeding;

namespace Nachos.Training.Data;

/// <summary>
/// StrongAugment's pixel operations on planar float images with values in [0, 1] (the loader's scale, before
/// normalisation). The reference works on 8-bit images with saturating arithmetic; here continuous operations stay in
/// floating point and clip to [0, 1] where they can leave it, and the operations defined on 8-bit levels (solarize,
/// posterize, equalize, JPEG) first take each value's level round(255·x). Luma is ITU-R BT.601 (0.299, 0.587, 0.114), as
/// OpenCV's RGB→gray. Filters read past the border by reflection without repeating the edge (OpenCV's default,
/// "reflect 101"). Nothing here allocates: filters use the caller's scratch span.
/// </summary>
public static class PhotometricOps
{
    private const float Rw = 0.299f, Gw = 0.587f, Bw = 0.114f;

    public static int Level(float x) => (int)MathF.Round(Math.Clamp(x, 0f, 1f) * 255f);

    /// <summary><see cref="Level"/> of each lane: adding and taking away 1.5·2²³ rounds a float in [0, 255] half to even, as MathF.Round.</summary>
    private static Vector<int> Levels(Vector<float> x)
    {
        var magic = new Vector<float>(12582912f);
        return Vector.ConvertToInt32(Unit(x) * new Vector<float>(255f) + magic - magic);
    }

    public static void Clip(Span<float> img) => Affine(img, 1f, 0f);

    /// <summary>One channel times <paramref name="m"/> ([0, 2]), clipped.</summary>
    public static void ScaleChannel(Span<float> img, int channel, int plane, float m) => Brightness(img.Slice(channel * plane, plane), m);

    /// <summary>Every value times <paramref name="m"/> ([0.1, 2]), clipped.</summary>
    public static void Brightness(Span<float> img, float m) => Scale(img, m);

    /// <summary>Blends every value with the image's mean luma (the mean value of a one-channel image): m·x + (1 − m)·mean, clipped.</summary>
    public static void Contrast(Span<float> img, int channels, int plane, float m)
    {
        double sum = 0;
        if (channels == 3)
            for (var i = 0; i < plane; i++) sum += Rw * img[i] + Gw * img[plane + i] + Bw * img[2 * plane + i];
        else
            for (var i = 0; i < plane; i++) sum += img[i];
        var mean = (float)(sum / plane);
        Affine(img, m, (1 - m) * mean);
    }

    /// <summary>x·m clipped to [0, 1], for every value.</summary>
    private static void Scale(Span<float> img, float m)
    {
        var i = 0;
        var vm = new Vector<float>(m);
        for (; i + Vector<float>.Count <= img.Length; i += Vector<float>.Count) Unit(new Vector<float>(img[i..]) * vm).CopyTo(img[i..]);
        for (; i < img.Length; i++) img[i] = Math.Clamp(img[i] * m, 0f, 1f);
    }

    /// <summary>m·x + b clipped to [0, 1], for every value.</summary>
    private static void Affine(Span<float> img, float m, float b)
    {
        var i = 0;
        Vector<float> vm = new(m), vb = new(b);
        for (; i + Vector<float>.Count <= img.Length; i += Vector<float>.Count) Unit(vm * new Vector<float>(img[i..]) + vb).CopyTo(img[i..]);
        for (; i < img.Length; i++) img[i] = Math.Clamp(m * img[i] + b, 0f, 1f);
    }

    private static Vector<float> Unit(Vector<float> v) => Vector.Min(Vector.Max(v, Vector<float>.Zero), Vector<float>.One);

    /// <summary>RGB: blends each pixel with its own luma, m·x + (1 − m)·gray, clipped (0 gives grayscale).</summary>
    public static void Saturation(Span<float> img, int plane, float m)
    {
        for (var i = 0; i < plane; i++)
        {
            var gray = Rw * img[i] + Gw * img[plane + i] + Bw * img[2 * plane + i];
            for (var c = 0; c < 3; c++) img[c * plane + i] = Math.Clamp(m * img[c * plane + i] + (1 - m) * gray, 0f, 1f);
        }
    }

    /// <summary>RGB: every channel becomes the pixel's luma.</summary>
    public static void Grayscale(Span<float> img, int plane)
    {
        for (var i = 0; i < plane; i++)
        {
            var gray = Rw * img[i] + Gw * img[plane + i] + Bw * img[2 * plane + i];
            img[i] = img[plane + i] = img[2 * plane + i] = gray;
        }
    }

    /// <summary>RGB: rotates each pixel's HSV hue by <paramref name="shift"/> turns ([−0.5, 0.5]), keeping saturation and value.</summary>
    public static void Hue(Span<float> img, int plane, float shift)
    {
        var i = HueVectors(img, plane, 6 * shift);
        for (; i < plane; i++)
        {
            float r = img[i], g = img[plane + i], b = img[2 * plane + i];
            var max = MathF.Max(r, MathF.Max(g, b));
            var min = MathF.Min(r, MathF.Min(g, b));
            var chroma = max - min;
            if (chroma <= 0) continue;
            // Hue in sextants, [0, 6).
            var h = max == r ? (g - b) / chroma : max == g ? (b - r) / chroma + 2 : (r - g) / chroma + 4;
            h += 6 * shift;
            h -= 6 * MathF.Floor(h / 6);
            if (h >= 6) h = 0;
            var sector = (int)h;
            var x = chroma * (1 - MathF.Abs(h - 2 * MathF.Floor(h / 2) - 1)) + min;
            (r, g, b) = sector switch
            {
                0 => (max, x, min),
                1 => (x, max, min),
                2 => (min, max, x),
                3 => (min, x, max),
                4 => (x, min, max),
                _ => (max, min, x),
            };
            img[i] = r;
            img[plane + i] = g;
            img[2 * plane + i] = b;
        }
    }

    /// <summary>
    /// <see cref="Hue"/> on whole vectors of pixels, step for step the same arithmetic (each branch computed, then selected);
    /// returns the first pixel it left.
    /// </summary>
    private static int HueVectors(Span<float> img, int plane, float turn)
    {
        Vector<float> two = new(2f), four = new(4f), six = new(6f), vturn = new(turn);
        var i = 0;
        for (; i + Vector<float>.Count <= plane; i += Vector<float>.Count)
        {
            Vector<float> r = new(img[i..]), g = new(img[(plane + i)..]), b = new(img[(2 * plane + i)..]);
            var max = Vector.Max(r, Vector.Max(g, b));
            var min = Vector.Min(r, Vector.Min(g, b));
            var chroma = max - min;
            var coloured = Vector.GreaterThan(chroma, Vector<float>.Zero);
            if (coloured == Vector<int>.Zero) continue;
            var h = Vector.ConditionalSelect(Vector.Equals(max, r), (g - b) / chroma,
                Vector.ConditionalSelect(Vector.Equals(max, g), (b - r) / chroma + two, (r - g) / chroma + four));
            h += vturn;
            h -= six * Vector.Floor(h / six);
            h = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(h, six), Vector<float>.Zero, h);
            var sector = Vector.ConvertToInt32(h);
            var x = chroma * (Vector<float>.One - Vector.Abs(h - two * Vector.Floor(h / two) - Vector<float>.One)) + min;
            Vector<int> s0 = Vector.Equals(sector, Vector<int>.Zero), s1 = Vector.Equals(sector, new Vector<int>(1)),
                s2 = Vector.Equals(sector, new Vector<int>(2)), s3 = Vector.Equals(sector, new Vector<int>(3)),
                s4 = Vector.Equals(sector, new Vector<int>(4)), s5 = Vector.Equals(sector, new Vector<int>(5));
            var nr = Vector.ConditionalSelect(s0 | s5, max, Vector.ConditionalSelect(s1 | s4, x, min));
            var ng = Vector.ConditionalSelect(s1 | s2, max, Vector.ConditionalSelect(s0 | s3, x, min));
            var nb = Vector.ConditionalSelect(s3 | s4, max, Vector.ConditionalSelect(s2 | s5, x, min));
            Vector.ConditionalSelect(coloured, nr, r).CopyTo(img[i..]);
            Vector.ConditionalSelect(coloured, ng, g).CopyTo(img[(plane + i)..]);
            Vector.ConditionalSelect(coloured, nb, b).CopyTo(img[(2 * plane + i)..]);
        }
        return i;
    }

    /// <summary>x^m, m in [0.1, 2].</summary>
    public static void Gamma(Span<float> img, float m)
    {
        for (var i = 0; i < img.Length; i++) img[i] = MathF.Pow(img[i], m);
    }

    /// <summary>The cubic Bézier tone curve through (0, 0) and (1, 1) with inner control values m0, m1 ([0, 1]).</summary>
    public static void Tone(Span<float> img, float m0, float m1)
    {
        var i = 0;
        Vector<float> three = new(3f), vm0 = new(m0), vm1 = new(m1);
        for (; i + Vector<float>.Count <= img.Length; i += Vector<float>.Count)
        {
            var t = new Vector<float>(img[i..]);
            var u = Vector<float>.One - t;
            (three * u * u * t * vm0 + three * u * t * t * vm1 + t * t * t).CopyTo(img[i..]);
        }
        for (; i < img.Length; i++)
        {
            var t = img[i];
            var u = 1 - t;
            img[i] = 3 * u * u * t * m0 + 3 * u * t * t * m1 + t * t * t;
        }
    }

    /// <summary>Inverts (1 − x) every value whose 8-bit level is at least <paramref name="threshold"/> (0..255; 0 inverts all).</summary>
    public static void Solarize(Span<float> img, int threshold)
    {
        // Level(x) ≥ t, with 255·x rounded half to even: 255·x above t − ½, or equal to it when t is even.
        var cut = threshold - 0.5f;
        var even = threshold % 2 == 0;
        var i = 0;
        Vector<float> vcut = new(cut), scale = new(255f);
        for (; i + Vector<float>.Count <= img.Length; i += Vector<float>.Count)
        {
            var x = new Vector<float>(img[i..]);
            var y = Unit(x) * scale;
            var flip = even ? Vector.GreaterThanOrEqual(y, vcut) : Vector.GreaterThan(y, vcut);
            Vector.ConditionalSelect(flip, Vector<float>.One - x, x).CopyTo(img[i..]);
        }
        for (; i < img.Length; i++)
            if (Level(img[i]) >= threshold) img[i] = 1 - img[i];
    }

    /// <summary>Keeps the top <paramref name="bits"/> (1..8) bits of each value's 8-bit level.</summary>
    public static void Posterize(Span<float> img, int bits)
    {
        var mask = (0xFF << (8 - bits)) & 0xFF;
        var i = 0;
        Vector<int> vmask = new(mask);
        var scale = new Vector<float>(255f);
        for (; i + Vector<float>.Count <= img.Length; i += Vector<float>.Count)
            (Vector.ConvertToSingle(Levels(new Vector<float>(img[i..])) & vmask) / scale).CopyTo(img[i..]);
        for (; i < img.Length; i++) img[i] = (Level(img[i]) & mask) / 255f;
    }

    /// <summary>Stretches each channel linearly so its smallest value becomes 0 and its largest 1; a flat channel is kept.</summary>
    public static void Autocontrast(Span<float> img, int channels, int plane)
    {
        for (var c = 0; c < channels; c++)
        {
            var p = img.Slice(c * plane, plane);
            var (min, max) = Range(p);
            if (!(max > min)) continue;
            var scale = 1 / (max - min);
            var i = 0;
            Vector<float> vmin = new(min), vscale = new(scale);
            for (; i + Vector<float>.Count <= p.Length; i += Vector<float>.Count) Unit((new Vector<float>(p[i..]) - vmin) * vscale).CopyTo(p[i..]);
            for (; i < p.Length; i++) p[i] = Math.Clamp((p[i] - min) * scale, 0f, 1f);
        }
    }

    private static (float Min, float Max) Range(ReadOnlySpan<float> p)
    {
        float min = float.MaxValue, max = float.MinValue;
        var i = 0;
        if (p.Length >= Vector<float>.Count)
        {
            var (vmin, vmax) = (new Vector<float>(p), new Vector<float>(p));
            for (i = Vector<float>.Count; i + Vector<float>.Count <= p.Length; i += Vector<float>.Count)
            {
                var v = new Vector<float>(p[i..]);
                (vmin, vmax) = (Vector.Min(vmin, v), Vector.Max(vmax, v));
            }
            for (var j = 0; j < Vector<float>.Count; j++) (min, max) = (MathF.Min(min, vmin[j]), MathF.Max(max, vmax[j]));
        }
        for (; i < p.Length; i++) (min, max) = (MathF.Min(min, p[i]), MathF.Max(max, p[i]));
        return (min, max);
    }

    /// <summary>
    /// Histogram equalisation of each channel's 8-bit levels as OpenCV's equalizeHist: the lowest occupied level maps to 0,
    /// level j to round(255·(pixels at or below j − pixels at the lowest) / (pixels − pixels at the lowest)); a channel of one
    /// level is kept.
    /// </summary>
    public static void Equalize(Span<float> img, int channels, int plane)
    {
        Span<int> hist = stackalloc int[256];
        Span<float> lut = stackalloc float[256];
        for (var c = 0; c < channels; c++)
        {
            var p = img.Slice(c * plane, plane);
            hist.Clear();
            var i = 0;
            for (; i + Vector<float>.Count <= p.Length; i += Vector<float>.Count)
            {
                var levels = Levels(new Vector<float>(p[i..]));
                for (var j = 0; j < Vector<int>.Count; j++) hist[levels[j]]++;
            }
            for (; i < p.Length; i++) hist[Level(p[i])]++;
            var first = 0;
            while (hist[first] == 0) first++;
            if (hist[first] == plane) continue;
            var scale = 255.0 / (plane - hist[first]);
            var sum = 0;
            lut.Clear();
            for (var j = first + 1; j < 256; j++)
            {
                sum += hist[j];
                lut[j] = (float)(Math.Round(sum * scale) / 255);
            }
            for (i = 0; i + Vector<float>.Count <= p.Length; i += Vector<float>.Count)
            {
                var levels = Levels(new Vector<float>(p[i..]));
                for (var j = 0; j < Vector<int>.Count; j++) p[i + j] = lut[levels[j]];
            }
            for (; i < p.Length; i++) p[i] = lut[Level(p[i])];
        }
    }

    /// <summary>3×3 filter (1 − m)·identity + m·[[−1 −1 −1] [−1 9 −1] [−1 −1 −1]], m in [0, 1], clipped.</summary>
    public static void Sharpen(Span<float> img, int channels, int h, int w, float m, Span<float> scratch)
    {
        Span<float> k = [-m, -m, -m, -m, 1 + 8 * m, -m, -m, -m, -m];
        Filter3x3(img, channels, h, w, k, scratch);
    }

    /// <summary>3×3 filter (1 − m)·identity + m·[[−2 −1 0] [−1 1 1] [0 1 2]] (correlation, as OpenCV's filter2D), m in [0, 1], clipped.</summary>
    public static void Emboss(Span<float> img, int channels, int h, int w, float m, Span<float> scratch)
    {
        Span<float> k = [-2 * m, -m, 0, -m, 1, m, 0, m, 2 * m];
        Filter3x3(img, channels, h, w, k, scratch);
    }

    /// <summary>
    /// Each output value is the nine products summed in kernel order, so the rows' interiors (vectors, no reflection) and
    /// their edge values (reflected) give the same result as one value at a time.
    /// </summary>
    /// <param name="scratch">At least h·w values.</param>
    private static void Filter3x3(Span<float> img, int channels, int h, int w, ReadOnlySpan<float> k, Span<float> scratch)
    {
        var plane = h * w;
        var src = scratch[..plane];
        Vector<float> k0 = new(k[0]), k1 = new(k[1]), k2 = new(k[2]), k3 = new(k[3]), k4 = new(k[4]), k5 = new(k[5]),
            k6 = new(k[6]), k7 = new(k[7]), k8 = new(k[8]);
        var n = Vector<float>.Count;
        for (var c = 0; c < channels; c++)
        {
            var p = img.Slice(c * plane, plane);
            p.CopyTo(src);
            for (var y = 0; y < h; y++)
            {
                int ya = Reflect(y - 1, h) * w, yb = y * w, yc = Reflect(y + 1, h) * w;
                var x = 1;
                for (; x + n <= w - 1; x += n)
                {
                    var v = k0 * new Vector<float>(src[(ya + x - 1)..]) + k1 * new Vector<float>(src[(ya + x)..]) + k2 * new Vector<float>(src[(ya + x + 1)..])
                          + k3 * new Vector<float>(src[(yb + x - 1)..]) + k4 * new Vector<float>(src[(yb + x)..]) + k5 * new Vector<float>(src[(yb + x + 1)..])
                          + k6 * new Vector<float>(src[(yc + x - 1)..]) + k7 * new Vector<float>(src[(yc + x)..]) + k8 * new Vector<float>(src[(yc + x + 1)..]);
                    Vector.Min(Vector.Max(v, Vector<float>.Zero), Vector<float>.One).CopyTo(p[(yb + x)..]);
                }
                for (; x < w - 1; x++) p[yb + x] = Filtered(src, k, ya, yb, yc, x - 1, x, x + 1);
                p[yb] = Filtered(src, k, ya, yb, yc, Reflect(-1, w), 0, Reflect(1, w));
                if (w > 1) p[yb + w - 1] = Filtered(src, k, ya, yb, yc, w - 2, w - 1, Reflect(w, w));
            }
        }
    }

    private static float Filtered(ReadOnlySpan<float> src, ReadOnlySpan<float> k, int ya, int yb, int yc, int xa, int x, int xc) =>
        Math.Clamp(k[0] * src[ya + xa] + k[1] * src[ya + x] + k[2] * src[ya + xc]
                 + k[3] * src[yb + xa] + k[4] * src[yb + x] + k[5] * src[yb + xc]
                 + k[6] * src[yc + xa] + k[7] * src[yc + x] + k[8] * src[yc + xc], 0f, 1f);

    /// <summary>The Gaussian kernel OpenCV's GaussianBlur uses for StrongAugment's σ: odd size max(3, round(3.5σ)), normalised.</summary>
    public static int BlurKernelSize(double sigma) => Math.Max(3, (int)Math.Round(sigma * 3.5, MidpointRounding.ToEven) / 2 * 2 + 1);

    /// <summary>Separable Gaussian blur with standard deviation <paramref name="sigma"/> ([0, 3]; 0 leaves the image as it is).</summary>
    /// <param name="scratch">At least h·w values.</param>
    public static void Blur(Span<float> img, int channels, int h, int w, double sigma, Span<float> scratch)
    {
        if (sigma <= 0) return;
        var size = BlurKernelSize(sigma);
        var r = size / 2;
        Span<float> k = size <= 128 ? stackalloc float[size] : new float[size];
        double total = 0;
        for (var i = 0; i < size; i++) total += Math.Exp(-(i - r) * (i - r) / (2 * sigma * sigma));
        for (var i = 0; i < size; i++) k[i] = (float)(Math.Exp(-(i - r) * (i - r) / (2 * sigma * sigma)) / total);
        var plane = h * w;
        var tmp = scratch[..plane];
        // Each output value sums the kernel's products in kernel order, from zero, as one value at a time would: row by row
        // through a copy of the row with its reflected margins, then column by column adding whole rows.
        Span<float> row = w + 2 * r <= 1024 ? stackalloc float[w + 2 * r] : new float[w + 2 * r];
        Span<int> rows = size <= 128 ? stackalloc int[size] : new int[size];
        for (var c = 0; c < channels; c++)
        {
            var p = img.Slice(c * plane, plane);
            for (var y = 0; y < h; y++)
            {
                var line = p.Slice(y * w, w);
                for (var i = 0; i < row.Length; i++) row[i] = i >= r && i < r + w ? line[i - r] : line[Reflect(i - r, w)];
                var o = tmp.Slice(y * w, w);
                o.Clear();
                for (var j = 0; j < size; j++) AddScaled(o, row.Slice(j, w), k[j]);
            }
            for (var y = 0; y < h; y++)
            {
                for (var j = 0; j < size; j++) rows[j] = Reflect(y + j - r, h) * w;
                var o = p.Slice(y * w, w);
                o.Clear();
                for (var j = 0; j < size; j++) AddScaled(o, tmp.Slice(rows[j], w), k[j]);
            }
        }
    }

    /// <summary>o[i] += m·a[i] for every i.</summary>
    private static void AddScaled(Span<float> o, ReadOnlySpan<float> a, float m)
    {
        var i = 0;
        var n = Vector<float>.Count;
        var vm = new Vector<float>(m);
        for (; i + n <= o.Length; i += n) (new Vector<float>(o[i..]) + vm * new Vector<float>(a[i..])).CopyTo(o[i..]);
        for (; i < o.Length; i++) o[i] += m * a[i];
    }

    /// <summary>
    /// Blends every pixel with one uniform noise value in [0, 1) drawn per pixel (the same for all channels):
    /// (1 − m)·x + m·noise, m in [0, 0.2]. Draws h·w numbers from <paramref name="rng"/> whatever m is.
    /// </summary>
    public static void Noise(Span<float> img, int channels, int plane, float m, ref SplitMix rng)
    {
        for (var i = 0; i < plane; i++)
        {
            var n = (float)rng.NextDouble();
            for (var c = 0; c < channels; c++) img[c * plane + i] = (1 - m) * img[c * plane + i] + m * n;
        }
    }

    /// <summary>
    /// Adds independent normal noise of standard deviation <paramref name="sigma"/> to every value (each channel its own draw),
    /// clipped to [0, 1]. The normal deviates come from <paramref name="rng"/> by Box–Muller, two per pair of uniforms.
    /// </summary>
    public static void GaussianNoise(Span<float> img, double sigma, ref SplitMix rng)
    {
        for (var i = 0; i < img.Length; i += 2)
        {
            var u1 = 1 - rng.NextDouble();
            var u2 = rng.NextDouble();
            var r = sigma * Math.Sqrt(-2 * Math.Log(u1));
            img[i] = Math.Clamp(img[i] + (float)(r * Math.Cos(2 * Math.PI * u2)), 0f, 1f);
            if (i + 1 < img.Length) img[i + 1] = Math.Clamp(img[i + 1] + (float)(r * Math.Sin(2 * Math.PI * u2)), 0f, 1f);
        }
    }

    /// <summary>Index <paramref name="i"/> reflected into [0, n) without repeating the edge: −1 → 1, n → n − 2.</summary>
    public static int Reflect(int i, int n)
    {
        if (n == 1) return 0;
        while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
        return i;
    }
}
