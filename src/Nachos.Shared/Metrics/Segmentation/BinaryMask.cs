namespace Nachos.Shared.Metrics.Segmentation;

/// <summary>A 2-D foreground mask, row-major (index = y · Width + x).</summary>
public sealed class BinaryMask
{
    private readonly bool[] _pixels;

    public BinaryMask(int height, int width, bool[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (pixels.Length != (long)height * width)
            throw new ArgumentException($"a {height}×{width} mask needs {(long)height * width} pixels, not {pixels.Length}", nameof(pixels));
        Height = height;
        Width = width;
        _pixels = pixels;
    }

    public int Height { get; }
    public int Width { get; }
    public int Length => _pixels.Length;
    public bool this[int i] => _pixels[i];
    public bool this[int y, int x] => _pixels[y * Width + x];

    public int Count() => _pixels.Count(p => p);

    /// <summary>The pixels of class <paramref name="label"/> in a label map (pixel value = class index).</summary>
    public static BinaryMask OfLabel(int height, int width, IReadOnlyList<int> labels, int label) =>
        new(height, width, labels.Select(v => v == label).ToArray());

    /// <summary>
    /// The surface: foreground pixels with a 4-neighbour outside the foreground; pixels outside the image count as
    /// background, so foreground on the image border is surface.
    /// </summary>
    public bool[] Surface()
    {
        var surface = new bool[_pixels.Length];
        for (var y = 0; y < Height; y++)
            for (var x = 0; x < Width; x++)
            {
                if (!this[y, x]) continue;
                surface[y * Width + x] = y == 0 || x == 0 || y == Height - 1 || x == Width - 1
                    || !this[y - 1, x] || !this[y + 1, x] || !this[y, x - 1] || !this[y, x + 1];
            }
        return surface;
    }
}
