using System.Collections.Concurrent;
using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Training.Data;
using Nachos.Training.Images;
using StbImageSharp;
using StbImageWriteSharp;

namespace Nachos.Host.Dashboard;

/// <summary>
/// Small PNG thumbnails of a study's cases, by sample id. Manifest datasets: the image file (sample ids are
/// paths relative to the manifest's folder); .npz datasets: the array, as the model saw it. Null when the
/// image cannot be read (the data moved, say): the dashboard then shows the case without its picture.
/// A segmentation case's picture is its <see cref="ContourOverlay"/> at the size the model saw.
/// </summary>
public sealed class CaseImages(StudySpec spec)
{
    /// <summary>Longest side of a thumbnail, in pixels; larger images are box-averaged down to it.</summary>
    public const int MaxSide = 128;

    private readonly ConcurrentDictionary<string, byte[]?> _cache = new();
    private readonly ConcurrentDictionary<(string, string), byte[]?> _contours = new();
    private readonly Lazy<LoadedDataset?> _npz = new(() => LoadNpz(spec));
    private readonly Lazy<Manifest?> _manifest = new(() => ReadManifest(spec));

    public byte[]? Png(string sampleId) => _cache.GetOrAdd(sampleId, Render);

    /// <summary>
    /// A segmentation case: its image (grayscale, at the model's input size) with the true mask's contour in green and
    /// the predicted mask's (the PNG at <paramref name="predictedMask"/>) in red. Null when any of the three cannot be read.
    /// </summary>
    public byte[]? ContourPng(string sampleId, string predictedMask) => _contours.GetOrAdd((sampleId, predictedMask), k => RenderContour(k.Item1, k.Item2));

    private byte[]? RenderContour(string sampleId, string predictedMask)
    {
        var (h, w) = (spec.Image.Height, spec.Image.Width);
        var classes = spec.Dataset.Classes.Count;
        try
        {
            float[] image;
            byte[] truth;
            if (spec.Dataset.Format == DatasetFormat.Npz)
            {
                if (_npz.Value is not { Masks: { } masks } data || !data.Images.TryGetValue(sampleId, out image!) || !masks.TryGetValue(sampleId, out truth!)) return null;
            }
            else
            {
                if (_manifest.Value?.ById.GetValueOrDefault(sampleId) is not { MaskPath: { } maskPath } sample) return null;
                image = ImageDecoder.Load(sample.ImagePath, 1, h, w, spec.Image.MaxPixels);
                var header = MaskDecoder.Header(maskPath);
                truth = Resize.Nearest(MaskDecoder.Decode(maskPath, header, classes, spec.Image.MaxPixels), header.Height, header.Width, h, w);
            }
            var predictedHeader = MaskDecoder.Header(predictedMask);
            var predicted = Resize.Nearest(MaskDecoder.Decode(predictedMask, predictedHeader, classes, spec.Image.MaxPixels),
                predictedHeader.Height, predictedHeader.Width, h, w);
            var plane = h * w;
            var channels = image.Length / plane;
            var gray = new byte[plane];
            for (var i = 0; i < plane; i++)
            {
                float sum = 0;
                for (var c = 0; c < channels; c++) sum += image[c * plane + i];
                gray[i] = (byte)Math.Clamp(MathF.Round(sum / channels * 255), 0, 255);
            }
            return Encode(ContourOverlay.Render(gray, h, w, truth, predicted, classes), w, h, 3);
        }
        catch (DataException)
        {
            return null;
        }
    }

    private static Manifest? ReadManifest(StudySpec spec)
    {
        try
        {
            return CsvManifestReader.Read(spec.Dataset, spec.Task);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DataException)
        {
            return null;
        }
    }

    private byte[]? Render(string sampleId)
    {
        var channels = spec.Image.Channels == 1 ? 1 : 3;
        if (spec.Dataset.Format == DatasetFormat.Npz)
        {
            if (_npz.Value?.Images.GetValueOrDefault(sampleId) is not { } planar) return null;
            var (h, w) = (spec.Image.Height, spec.Image.Width);
            var plane = h * w;
            var pixels = new byte[plane * channels];
            for (var i = 0; i < plane; i++)
                for (var c = 0; c < channels; c++)
                    pixels[i * channels + c] = (byte)Math.Clamp(MathF.Round(planar[c * plane + i] * 255), 0, 255);
            return Encode(pixels, w, h, channels);
        }
        var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(spec.Dataset.Path)!, sampleId));
        try
        {
            var image = ImageResult.FromMemory(File.ReadAllBytes(path), channels == 1 ? StbImageSharp.ColorComponents.Grey : StbImageSharp.ColorComponents.RedGreenBlue);
            var (pixels, width, height) = Shrink(image.Data, image.Width, image.Height, channels);
            return Encode(pixels, width, height, channels);
        }
        catch (Exception) // missing, unreadable or undecodable (StbImageSharp throws plain Exceptions)
        {
            return null;
        }
    }

    private static LoadedDataset? LoadNpz(StudySpec spec)
    {
        try
        {
            return DatasetLoader.Load(spec);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DataException)
        {
            return null;
        }
    }

    /// <summary>Box-averages an interleaved image so its longest side is at most <see cref="MaxSide"/>.</summary>
    public static (byte[] Pixels, int Width, int Height) Shrink(byte[] src, int w, int h, int channels)
    {
        var factor = (int)Math.Ceiling(Math.Max(w, h) / (double)MaxSide);
        if (factor <= 1) return (src, w, h);
        int ow = Math.Max(1, w / factor), oh = Math.Max(1, h / factor);
        var dst = new byte[ow * oh * channels];
        for (var y = 0; y < oh; y++)
            for (var x = 0; x < ow; x++)
                for (var c = 0; c < channels; c++)
                {
                    var sum = 0;
                    for (var dy = 0; dy < factor; dy++)
                        for (var dx = 0; dx < factor; dx++)
                            sum += src[((y * factor + dy) * w + x * factor + dx) * channels + c];
                    dst[(y * ow + x) * channels + c] = (byte)(sum / (factor * factor));
                }
        return (dst, ow, oh);
    }

    /// <summary>Interleaved 8-bit pixels (1 channel: grey, else RGB) as a PNG.</summary>
    public static byte[] Encode(byte[] pixels, int width, int height, int channels)
    {
        using var stream = new MemoryStream();
        new ImageWriter().WritePng(pixels, width, height, channels == 1 ? StbImageWriteSharp.ColorComponents.Grey : StbImageWriteSharp.ColorComponents.RedGreenBlue, stream);
        return stream.ToArray();
    }
}
