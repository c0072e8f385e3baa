using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using StbImageSharp;

namespace Nachos.Training.Images;

/// <summary>Decodes PNG/JPEG/BMP files into planar float images in [0, 1], resized to the spec's size.</summary>
public static class ImageDecoder
{
    private static long _decoded;

    /// <summary>Images decoded by this process so far (tests and benchmarks show a warm cache decodes none).</summary>
    public static long Decoded => Interlocked.Read(ref _decoded);

    /// <summary>
    /// Returns C×H×W floats. A missing or undecodable file, or one whose header declares more than
    /// <paramref name="maxPixels"/> pixels (checked before decoding), is a <see cref="DataException"/> naming it.
    /// </summary>
    /// <param name="checkSourceChannels">Given the channels the header declares (as <see cref="SourceChannels"/>) before anything is
    /// decoded; a <see cref="DataException"/> it throws is the error.</param>
    public static float[] Load(string path, int channels, int height, int width, long maxPixels = ImageSpec.DefaultMaxPixels,
        Action<int>? checkSourceChannels = null)
    {
        if (!File.Exists(path)) throw new DataException($"{path}: image file not found");
        ImageResult img;
        try
        {
            using var stream = File.OpenRead(path);
            var info = ImageInfo.FromStream(stream)
                       ?? throw new DataException($"{path}: not a PNG, JPEG or BMP image (unrecognised header)");
            checkSourceChannels?.Invoke(Channels(info));
            var pixels = (long)info.Width * info.Height;
            if (pixels > maxPixels)
                throw new DataException($"{path}: the header declares {info.Width} × {info.Height} pixels ({pixels / 1e6:0.#} megapixels), more than image.max_megapixels ({maxPixels / 1e6:0.#})");
            stream.Position = 0;
            Interlocked.Increment(ref _decoded);
            img = ImageResult.FromStream(stream, channels == 1 ? ColorComponents.Grey : ColorComponents.RedGreenBlue);
        }
        catch (Exception e) when (e is not DataException)
        {
            // The decoder's own messages can hold bytes of the file (chunk names, uninitialised text): not shown.
            throw new DataException($"{path}: cannot decode image (corrupt or truncated image data)");
        }
        var planar = new float[channels * img.Height * img.Width];
        var plane = img.Height * img.Width;
        for (var i = 0; i < plane; i++)
            for (var c = 0; c < channels; c++)
                planar[c * plane + i] = img.Data[i * channels + c] / 255f;
        return Resize.Bilinear(planar, channels, img.Height, img.Width, height, width);
    }

    /// <summary>The channels of an image's source pixels as its header declares them: 1 (grayscale, with or without alpha) or 3 (colour); errors as <see cref="Load"/>'s.</summary>
    public static int SourceChannels(string path) => Channels(Header(path));

    private static int Channels(ImageInfo info) => info.ColorComponents is ColorComponents.Grey or ColorComponents.GreyAlpha ? 1 : 3;

    /// <summary>The width and height an image's header declares (nothing decoded); errors as <see cref="Load"/>'s.</summary>
    public static (int Width, int Height) SourceSize(string path)
    {
        var info = Header(path);
        return (info.Width, info.Height);
    }

    private static ImageInfo Header(string path)
    {
        if (!File.Exists(path)) throw new DataException($"{path}: image file not found");
        try
        {
            using var stream = File.OpenRead(path);
            return ImageInfo.FromStream(stream)
                   ?? throw new DataException($"{path}: not a PNG, JPEG or BMP image (unrecognised header)");
        }
        catch (Exception e) when (e is not DataException)
        {
            throw new DataException($"{path}: cannot decode image (corrupt or truncated image data)");
        }
    }
}
