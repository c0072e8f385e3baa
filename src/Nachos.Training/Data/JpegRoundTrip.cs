using System.Numerics;

namespace Nachos.Training.Data;

/// <summary>
/// The lossy part of a baseline JPEG encode and decode, standing in for StrongAugment's OpenCV round trip (no JPEG
/// encoder is served here, and entropy coding is lossless so it changes no pixel). As libjpeg with OpenCV's defaults:
/// 8-bit levels; RGB to JFIF YCbCr with the chroma planes averaged over 2×2 pixels (4:2:0); planes padded to whole blocks
/// by repeating the last row and column; per 8×8 block the level shift by 128, the DCT, division by the IJG
/// quality-scaled Annex K tables (luminance for Y, chrominance for Cb and Cr) rounded half away from zero, and back; the
/// decoded samples rounded and clipped to 0..255, chroma upsampled by repetition, YCbCr to RGB. Unlike libjpeg it keeps
/// colour conversion and downsampling in floating point and does not smooth the upsampled chroma ("fancy upsampling").
/// One channel is coded as luminance alone.
/// </summary>
public static class JpegRoundTrip
{
    private static readonly int[] LuminanceBase =
    [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
        14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ];

    private static readonly int[] ChrominanceBase =
    [
        17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99,
        47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    ];

    /// <summary>Basis[u·8 + x] = c(u)·cos((2x + 1)uπ/16), the orthonormal DCT-II that JPEG's FDCT is.</summary>
    private static readonly double[] Basis = MakeBasis();

    private static double[] MakeBasis()
    {
        var b = new double[64];
        for (var u = 0; u < 8; u++)
            for (var x = 0; x < 8; x++)
                b[u * 8 + x] = (u == 0 ? Math.Sqrt(1.0 / 8) : 0.5) * Math.Cos((2 * x + 1) * u * Math.PI / 16);
        return b;
    }

    /// <summary>The IJG quantisation table for <paramref name="quality"/> (0..100; 0 is taken as 1, as libjpeg does), baseline (≤ 255).</summary>
    public static void Table(int quality, bool chrominance, Span<int> table)
    {
        quality = Math.Clamp(quality, 1, 100);
        var scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
        var b = chrominance ? ChrominanceBase : LuminanceBase;
        for (var i = 0; i < 64; i++) table[i] = Math.Clamp((b[i] * scale + 50) / 100, 1, 255);
    }

    /// <summary>Scratch values <see cref="Apply"/> needs for an h×w image.</summary>
    public static int ScratchLength(int h, int w) => 2 * Pad(h, 16) * Pad(w, 16);

    private static int Pad(int n, int block) => (n + block - 1) / block * block;

    public static void Apply(Span<float> img, int channels, int h, int w, int quality, Span<float> scratch)
    {
        var plane = h * w;
        Span<int> luma = stackalloc int[64];
        Table(quality, false, luma);
        if (channels == 1)
        {
            int ph = Pad(h, 8), pw = Pad(w, 8);
            var y = scratch[..(ph * pw)];
            for (var r = 0; r < ph; r++)
                for (var c = 0; c < pw; c++)
                    y[r * pw + c] = PhotometricOps.Level(img[Math.Min(r, h - 1) * w + Math.Min(c, w - 1)]);
            Code(y, ph, pw, luma);
            for (var r = 0; r < h; r++)
                for (var c = 0; c < w; c++)
                    img[r * w + c] = y[r * pw + c] / 255f;
            return;
        }

        Span<int> chroma = stackalloc int[64];
        Table(quality, true, chroma);
        int fh = Pad(h, 16), fw = Pad(w, 16), chh = fh / 2, chw = fw / 2;
        var yp = scratch[..(fh * fw)];
        var cb = scratch.Slice(fh * fw, chh * chw);
        var cr = scratch.Slice(fh * fw + chh * chw, chh * chw);
        cb.Clear();
        cr.Clear();
        for (var r = 0; r < fh; r++)
            for (var c = 0; c < fw; c++)
            {
                var i = Math.Min(r, h - 1) * w + Math.Min(c, w - 1);
                double red = PhotometricOps.Level(img[i]), green = PhotometricOps.Level(img[plane + i]), blue = PhotometricOps.Level(img[2 * plane + i]);
                yp[r * fw + c] = (float)(0.299 * red + 0.587 * green + 0.114 * blue);
                var k = r / 2 * chw + c / 2;
                cb[k] += (float)(0.25 * (-0.168736 * red - 0.331264 * green + 0.5 * blue + 128));
                cr[k] += (float)(0.25 * (0.5 * red - 0.418688 * green - 0.081312 * blue + 128));
            }
        Code(yp, fh, fw, luma);
        Code(cb, chh, chw, chroma);
        Code(cr, chh, chw, chroma);
        for (var r = 0; r < h; r++)
            for (var c = 0; c < w; c++)
            {
                double yv = yp[r * fw + c], cbv = cb[r / 2 * chw + c / 2] - 128.0, crv = cr[r / 2 * chw + c / 2] - 128.0;
                var i = r * w + c;
                img[i] = Sample(yv + 1.402 * crv);
                img[plane + i] = Sample(yv - 0.344136 * cbv - 0.714136 * crv);
                img[2 * plane + i] = Sample(yv + 1.772 * cbv);
            }
    }

    private static float Sample(double level) => (float)(Math.Clamp(Math.Round(level), 0, 255) / 255);

    /// <summary>BasisT[x·8 + u] = Basis[u·8 + x].</summary>
    private static readonly double[] BasisT = Enumerable.Range(0, 64).Select(i => Basis[i % 8 * 8 + i / 8]).ToArray();

    /// <summary>
    /// Every 8×8 block of a plane of levels through DCT, quantisation and inverse DCT, in place. Each sum runs over its
    /// terms in ascending order from zero, eight outputs at a time (vectors of doubles), as one at a time would.
    /// </summary>
    private static void Code(Span<float> p, int ph, int pw, ReadOnlySpan<int> table)
    {
        Span<double> block = stackalloc double[64];
        Span<double> tmp = stackalloc double[64];
        Span<double> sum = stackalloc double[8];
        Span<int> rows = stackalloc int[8];
        ReadOnlySpan<double> basis = Basis, basisT = BasisT;
        for (var by = 0; by < ph; by += 8)
            for (var bx = 0; bx < pw; bx += 8)
            {
                for (var y = 0; y < 8; y++)
                    for (var x = 0; x < 8; x++)
                        block[y * 8 + x] = p[(by + y) * pw + bx + x] - 128.0;
                // Forward: rows then columns, F = B·f·Bᵀ.
                for (var y = 0; y < 8; y++) Combine(basisT, 8, block.Slice(y * 8, 8), tmp.Slice(y * 8, 8));
                for (var v = 0; v < 8; v++)
                {
                    Combine(tmp, 8, basis.Slice(v * 8, 8), sum);
                    for (var u = 0; u < 8; u++)
                    {
                        var q = table[v * 8 + u];
                        block[v * 8 + u] = Math.Round(sum[u] / q, MidpointRounding.AwayFromZero) * q;
                    }
                }
                // Inverse: f = Bᵀ·F·B. A row of coefficients quantised to zero adds only zeros to every sum, so it is skipped.
                var live = 0;
                for (var v = 0; v < 8; v++)
                    for (var u = 0; u < 8; u++)
                        if (block[v * 8 + u] != 0)
                        {
                            rows[live++] = v;
                            break;
                        }
                for (var i = 0; i < live; i++) Combine(basis, 8, block.Slice(rows[i] * 8, 8), tmp.Slice(rows[i] * 8, 8));
                for (var y = 0; y < 8; y++)
                {
                    sum.Clear();
                    for (var i = 0; i < live; i++) AddScaled(sum, tmp.Slice(rows[i] * 8, 8), basis[rows[i] * 8 + y]);
                    for (var x = 0; x < 8; x++) p[(by + y) * pw + bx + x] = (float)Math.Clamp(Math.Round(sum[x] + 128), 0, 255);
                }
            }
    }

    /// <summary>o = Σₖ weights[k]·rows[k·stride .. +8], k ascending from zero.</summary>
    private static void Combine(ReadOnlySpan<double> rows, int stride, ReadOnlySpan<double> weights, Span<double> o)
    {
        o.Clear();
        for (var k = 0; k < weights.Length; k++) AddScaled(o, rows.Slice(k * stride, 8), weights[k]);
    }

    /// <summary>o[i] += m·a[i], i &lt; 8.</summary>
    private static void AddScaled(Span<double> o, ReadOnlySpan<double> a, double m)
    {
        var n = Vector<double>.Count;
        var vm = new Vector<double>(m);
        if (n <= 8 && 8 % n == 0)
            for (var i = 0; i < 8; i += n) (new Vector<double>(o[i..]) + vm * new Vector<double>(a[i..])).CopyTo(o[i..]);
        else
            for (var i = 0; i < 8; i++) o[i] += m * a[i];
    }
}
