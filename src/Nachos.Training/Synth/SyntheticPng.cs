using StbImageWriteSharp;

namespace Nachos.Training.Synth;

/// <summary>Writes the synthetic data's square 8-bit grayscale PNGs (images and masks).</summary>
internal static class SyntheticPng
{
    public static void Write(string path, byte[] gray, int size)
    {
        using var f = File.Create(path);
        new ImageWriter().WritePng(gray, size, size, ColorComponents.Grey, f);
    }
}
