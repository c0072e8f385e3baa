using Nachos.Shared.Data;
using Nachos.Shared.Spec;

namespace Nachos.Training.Data;

/// <summary>
/// A dataset decoded once into memory: its manifest and each sample's C×H×W floats in [0, 1]. For task segmentation,
/// <c>Masks</c> holds each sample's H×W label map at the same size (one byte per pixel, the class index, 0 = background,
/// resized with nearest neighbour); null for classification.
/// </summary>
public sealed record LoadedDataset(Manifest Manifest, ImageSpec Image, IReadOnlyDictionary<string, float[]> Images, IReadOnlyList<string> Skipped,
    IReadOnlyDictionary<string, byte[]>? Masks = null)
{
    public int PixelsPerImage => Image.Channels * Image.Height * Image.Width;
}
