using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using StbImageSharp;

namespace Nachos.Training.Images;

/// <summary>The size and pixel format a PNG's IHDR chunk declares.</summary>
public sealed record PngHeader(int Width, int Height, int BitDepth, int ColorType)
{
    public const int Grey = 0, Rgb = 2, Palette = 3, GreyAlpha = 4, Rgba = 6;
}

/// <summary>
/// Decodes segmentation masks into label maps (one byte per pixel, the class index). Masks are PNG only (a lossy
/// format would change label values). Grayscale masks of 1 to 16 bits are read as they are (a 1-, 2- or 4-bit pixel
/// keeps its value, not scaled to 0–255); grey + alpha reads the grey value; RGB and RGBA masks are read from their
/// first (red) channel; indexed-colour (palette) PNGs are refused: their decoded pixels are colours, not indices.
/// With 2 classes any non-zero value is foreground (1); with 3 or more the value is the class index, and a value
/// ≥ the number of classes is a <see cref="DataException"/> naming the file and the pixel.
/// </summary>
public static class MaskDecoder
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The PNG header of a mask file; a missing file, a non-PNG or a malformed header is a <see cref="DataException"/>.</summary>
    public static PngHeader Header(string path)
    {
        if (!File.Exists(path)) throw new DataException($"{path}: mask file not found");
        var head = new byte[33];
        int read;
        try
        {
            using var f = File.OpenRead(path);
            read = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataException($"{path}: cannot read the mask file ({e.GetType().Name})");
        }
        if (read < 8 || !head.AsSpan(0, 8).SequenceEqual(Signature))
            throw new DataException($"{path}: not a PNG file (masks must be PNG, a lossless format)");
        if (read < head.Length || BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(8)) != 13 || !head.AsSpan(12, 4).SequenceEqual("IHDR"u8))
            throw new DataException($"{path}: cannot decode mask (the PNG has no valid IHDR header)");
        var width = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(16));
        var height = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(20));
        if (width <= 0 || height <= 0) throw new DataException($"{path}: cannot decode mask (the PNG header declares {width} × {height} pixels)");
        return new PngHeader(width, height, head[24], head[25]);
    }

    /// <summary>
    /// The label map of a mask at its own size (row-major, one class index per pixel). A header declaring more than
    /// <paramref name="maxPixels"/> pixels is refused before decoding.
    /// </summary>
    public static byte[] Decode(string path, int classes, long maxPixels = ImageSpec.DefaultMaxPixels) => Decode(path, Header(path), classes, maxPixels);

    /// <summary>As <see cref="Decode(string, int, long)"/> for a header already read.</summary>
    public static byte[] Decode(string path, PngHeader header, int classes, long maxPixels = ImageSpec.DefaultMaxPixels)
    {
        if (classes is < 2 or > 256) throw new ArgumentOutOfRangeException(nameof(classes), classes, "2 to 256 classes");
        var pixels = (long)header.Width * header.Height;
        if (pixels > maxPixels)
            throw new DataException($"{path}: the mask header declares {header.Width} × {header.Height} pixels ({pixels / 1e6:0.#} megapixels), more than image.max_megapixels ({maxPixels / 1e6:0.#})");
        if (header.ColorType == PngHeader.Palette)
            throw new DataException($"{path}: an indexed-colour (palette) PNG mask is not supported; save the mask as grayscale with the class index as pixel value");
        if (header.ColorType is not (PngHeader.Grey or PngHeader.Rgb or PngHeader.GreyAlpha or PngHeader.Rgba)
            || header.BitDepth is not (1 or 2 or 4 or 8 or 16))
            throw new DataException($"{path}: cannot decode mask (unknown PNG colour type {header.ColorType} or bit depth {header.BitDepth})");

        int[] values;
        try
        {
            values = header.BitDepth == 16 ? FirstChannel16(path, header) : FirstChannel8(path, header);
        }
        catch (Exception e) when (e is not DataException)
        {
            // The decoder's own messages can hold bytes of the file: not shown.
            throw new DataException($"{path}: cannot decode mask (corrupt or truncated PNG data)");
        }
        var labels = new byte[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (classes == 2) labels[i] = v != 0 ? (byte)1 : (byte)0;
            else if (v < classes) labels[i] = (byte)v;
            else
                throw new DataException($"{path}: pixel (x {i % header.Width}, y {i / header.Width}) has value {v}, not a class index: dataset.classes names {classes} classes (0..{classes - 1})");
        }
        return labels;
    }

    private static int[] FirstChannel8(string path, PngHeader header)
    {
        using var stream = File.OpenRead(path);
        var img = ImageResult.FromStream(stream, ColorComponents.Default);
        if (img.Width != header.Width || img.Height != header.Height) throw new DataException($"{path}: cannot decode mask (the decoded size differs from the header's)");
        var comp = img.Data.Length / (img.Width * img.Height);
        // stb scales grey pixels of 1, 2 or 4 bits to 0–255; a mask's value is its label, so the scaling is undone.
        var scale = header.ColorType == PngHeader.Grey && header.BitDepth < 8 ? 255 / ((1 << header.BitDepth) - 1) : 1;
        var values = new int[img.Width * img.Height];
        for (var i = 0; i < values.Length; i++) values[i] = img.Data[i * comp] / scale;
        return values;
    }

    private static unsafe int[] FirstChannel16(string path, PngHeader header)
    {
        using var stream = File.OpenRead(path);
        int x, y, comp;
        // ImageResult decodes to 8 bits (the high byte): label values below 256 would all read as 0.
        var data = StbImage.stbi__load_and_postprocess_16bit(new StbImage.stbi__context(stream), &x, &y, &comp, 0);
        if (data == null) throw new DataException($"{path}: cannot decode mask (corrupt or truncated PNG data)");
        try
        {
            if (x != header.Width || y != header.Height || comp < 1) throw new DataException($"{path}: cannot decode mask (the decoded size differs from the header's)");
            var values = new int[x * y];
            for (var i = 0; i < values.Length; i++) values[i] = data[(long)i * comp];
            return values;
        }
        finally
        {
            // StbImageSharp allocates its results with Marshal.AllocHGlobal (its CRuntime.malloc, internal).
            Marshal.FreeHGlobal((IntPtr)data);
        }
    }
}
