using Nachos.Shared.Data;
using Nachos.Shared.Spec;

namespace Nachos.Training.Data;

/// <summary>A dataset decoded once into memory: its manifest and each sample's C×H×W floats in [0, 1].</summary>
public sealed record LoadedDataset(Manifest Manifest, ImageSpec Image, IReadOnlyDictionary<string, float[]> Images, IReadOnlyList<string> Skipped)
{
    public int PixelsPerImage => Image.Channels * Image.Height * Image.Width;
}
