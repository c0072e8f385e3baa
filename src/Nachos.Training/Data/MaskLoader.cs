using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Training.Images;

namespace Nachos.Training.Data;

/// <summary>The label maps of segmentation samples at the spec's image size (nearest neighbour), one byte per pixel.</summary>
internal static class MaskLoader
{
    /// <summary>
    /// One sample's mask from its PNG. A missing or unreadable mask, one whose size differs from its image's (both
    /// from the file headers), or a value outside the classes is a <see cref="DataException"/> naming the file.
    /// </summary>
    public static byte[] Load(Sample sample, ImageSpec image, int classes)
    {
        var path = sample.MaskPath ?? throw new DataException($"{sample.ImagePath}: the sample has no mask");
        var header = MaskDecoder.Header(path);
        var (width, height) = ImageDecoder.SourceSize(sample.ImagePath);
        if (header.Width != width || header.Height != height)
            throw new DataException($"{path}: the mask is {header.Width} × {header.Height} pixels but its image {sample.ImagePath} is {width} × {height}");
        var labels = MaskDecoder.Decode(path, header, classes, image.MaxPixels);
        return Resize.Nearest(labels, header.Height, header.Width, image.Height, image.Width);
    }

    /// <summary>The masks of an .npz part (N×H×W, integer values), checked against the classes and resized.</summary>
    public static IReadOnlyList<byte[]> FromNpz(NpyArray masks, string name, string path, int n, int h, int w, int classes, ImageSpec image)
    {
        if (masks.Shape.Length != 3 || masks.Shape[0] != n || masks.Shape[1] != h || masks.Shape[2] != w)
            throw new DataException($"{path}: {name} must be N×H×W matching the images ({n}, {h}, {w}), got ({string.Join(", ", masks.Shape)})");
        var plane = h * w;
        var result = new List<byte[]>(n);
        for (var i = 0; i < n; i++)
        {
            var labels = new byte[plane];
            for (var p = 0; p < plane; p++)
            {
                var v = masks.Values[(long)i * plane + p];
                if (!float.IsFinite(v) || v < 0 || v != MathF.Floor(v) || (classes > 2 && v >= classes))
                    throw new DataException($"{path}: {name} row {i}: pixel (x {p % w}, y {p / w}) has value {v}, not a class index"
                                            + (classes > 2 ? $" (0..{classes - 1})" : " (a non-negative integer; non-zero is foreground)"));
                labels[p] = classes == 2 ? (v != 0 ? (byte)1 : (byte)0) : (byte)v;
            }
            result.Add(Resize.Nearest(labels, h, w, image.Height, image.Width));
        }
        return result;
    }
}
