using Nachos.Shared.Files;
using StbImageWriteSharp;

namespace Nachos.Training.Images;

/// <summary>
/// A segmentation's predicted files, 8-bit grayscale PNGs written atomically: the label map (one foreground class:
/// 0 and 255, so that "non-zero is foreground" reads it back; several: the class index) and the foreground
/// probability map (1 − P(background), times 255 and rounded), the compact form the mask ensembles combine.
/// </summary>
public static class MaskFiles
{
    public static void WriteLabels(string path, byte[] labels, int height, int width, int classes) =>
        Write(path, classes == 2 ? labels.Select(v => v == 0 ? (byte)0 : (byte)255).ToArray() : labels, height, width);

    /// <param name="foreground">The foreground probability per pixel.</param>
    public static void WriteProbability(string path, double[] foreground, int height, int width) =>
        Write(path, foreground.Select(p => (byte)Math.Round(Math.Clamp(p, 0, 1) * 255)).ToArray(), height, width);

    private static void Write(string path, byte[] pixels, int height, int width)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.Write(path, temporary =>
        {
            using var stream = File.Create(temporary);
            new ImageWriter().WritePng(pixels, width, height, ColorComponents.Grey, stream);
        });
    }
}
