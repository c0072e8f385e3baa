using Nachos.Shared.Robustness;
using Nachos.Shared.Seeding;
using Nachos.Training.Images;

namespace Nachos.Training.Data;

/// <summary>
/// The stress test's shifts (<see cref="Shifts"/>, docs/robustness.md) on a decoded image (planar C×H×W floats in [0, 1],
/// at the model's input size, before normalisation). Deterministic: the noise of an image is seeded by its sample id and
/// the severity alone, so every model, fold and run sees the same shifted image.
/// </summary>
public static class DistributionShift
{
    /// <summary>The shifted copy of <paramref name="image"/>; the input is not changed.</summary>
    public static float[] Apply(float[] image, int channels, int h, int w, ShiftKind kind, int severity, string sampleId)
    {
        var m = Shifts.Parameter(kind, severity);
        var img = (float[])image.Clone();
        var plane = h * w;
        switch (kind)
        {
            case ShiftKind.Gamma:
                PhotometricOps.Gamma(img, (float)m);
                break;
            case ShiftKind.Brightness:
                PhotometricOps.Brightness(img, (float)m);
                break;
            case ShiftKind.Contrast:
                PhotometricOps.Contrast(img, channels, plane, (float)m);
                break;
            case ShiftKind.GaussianBlur:
                PhotometricOps.Blur(img, channels, h, w, m, new float[plane]);
                break;
            case ShiftKind.GaussianNoise:
                var rng = new SplitMix(NoiseSeed(sampleId, severity));
                PhotometricOps.GaussianNoise(img, m, ref rng);
                break;
            case ShiftKind.Jpeg:
                JpegRoundTrip.Apply(img, channels, h, w, (int)m, new float[JpegRoundTrip.ScratchLength(h, w)]);
                break;
            case ShiftKind.Downscale:
                int dh = Math.Max(1, (int)Math.Round(h / m)), dw = Math.Max(1, (int)Math.Round(w / m));
                return Resize.Bilinear(Resize.Bilinear(img, channels, h, w, dh, dw), channels, dh, dw, h, w);
            case ShiftKind.ChannelScale:
                if (channels == 3)
                {
                    PhotometricOps.ScaleChannel(img, 0, plane, (float)(1 + m));
                    PhotometricOps.ScaleChannel(img, 2, plane, (float)(1 - m));
                }
                else PhotometricOps.Brightness(img, (float)(1 - m));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "no such shift");
        }
        return img;
    }

    /// <summary>The shifted copy of an RGB <paramref name="image"/> at a cell of the channel grid: red times 1 + cell.Red, blue times 1 + cell.Blue, clipped; green kept.</summary>
    public static float[] Apply(float[] image, int channels, int h, int w, ChannelGridCell cell)
    {
        if (channels != 3) throw new ArgumentException($"the channel grid needs an RGB image; this one has {channels} channel(s)", nameof(channels));
        var img = (float[])image.Clone();
        PhotometricOps.ScaleChannel(img, 0, h * w, (float)(1 + cell.Red));
        PhotometricOps.ScaleChannel(img, 2, h * w, (float)(1 + cell.Blue));
        return img;
    }

    /// <summary>The seed of an image's noise: its sample id and the severity, nothing else.</summary>
    public static long NoiseSeed(string sampleId, int severity) => Seeds.Derive(0x5EED, Seeds.Hash(sampleId), severity);

    /// <summary><paramref name="data"/> with the images of <paramref name="ids"/> shifted (the others left out); masks and labels unchanged.</summary>
    public static LoadedDataset Of(LoadedDataset data, IReadOnlyList<string> ids, ShiftKind kind, int severity) =>
        Of(data, ids, (image, id) => Apply(image, data.Image.Channels, data.Image.Height, data.Image.Width, kind, severity, id));

    /// <summary><paramref name="data"/> with the images of <paramref name="ids"/> at a cell of the channel grid (the others left out).</summary>
    public static LoadedDataset Of(LoadedDataset data, IReadOnlyList<string> ids, ChannelGridCell cell) =>
        Of(data, ids, (image, _) => Apply(image, data.Image.Channels, data.Image.Height, data.Image.Width, cell));

    private static LoadedDataset Of(LoadedDataset data, IReadOnlyList<string> ids, Func<float[], string, float[]> shift)
    {
        var shifted = new System.Collections.Concurrent.ConcurrentDictionary<string, float[]>();
        Parallel.ForEach(ids, id => shifted[id] = shift(data.Images[id], id));
        return data with { Images = shifted };
    }
}
