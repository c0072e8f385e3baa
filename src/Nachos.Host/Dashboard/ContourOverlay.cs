using Nachos.Shared.Metrics.Segmentation;

namespace Nachos.Host.Dashboard;

/// <summary>
/// A segmentation case drawn for people: the grayscale image as RGB with the surface (docs/spec.md, "Segmentation
/// metrics") of the true mask in green, of the predicted mask in red, and where both surfaces meet in yellow. With
/// several foreground classes each class's surface is drawn.
/// </summary>
public static class ContourOverlay
{
    public static readonly (byte R, byte G, byte B) Truth = (0, 255, 0);
    public static readonly (byte R, byte G, byte B) Predicted = (255, 0, 0);
    public static readonly (byte R, byte G, byte B) Both = (255, 255, 0);

    /// <param name="gray">H×W intensities.</param>
    /// <param name="truth">The true label map (H×W class indices).</param>
    /// <param name="predicted">The predicted label map.</param>
    /// <returns>H×W×3 interleaved RGB.</returns>
    public static byte[] Render(byte[] gray, int height, int width, byte[] truth, byte[] predicted, int classes)
    {
        var plane = height * width;
        if (gray.Length != plane || truth.Length != plane || predicted.Length != plane)
            throw new ArgumentException($"a {height}×{width} overlay needs {plane} pixels in the image and both masks");
        var t = Surfaces(truth, height, width, classes);
        var p = Surfaces(predicted, height, width, classes);
        var rgb = new byte[plane * 3];
        for (var i = 0; i < plane; i++)
        {
            var (r, g, b) = (t[i], p[i]) switch
            {
                (true, true) => Both,
                (true, false) => Truth,
                (false, true) => Predicted,
                _ => (gray[i], gray[i], gray[i]),
            };
            rgb[3 * i] = r;
            rgb[3 * i + 1] = g;
            rgb[3 * i + 2] = b;
        }
        return rgb;
    }

    /// <summary>The union over foreground classes 1..C−1 of each class's surface.</summary>
    private static bool[] Surfaces(byte[] labels, int height, int width, int classes)
    {
        var all = new bool[labels.Length];
        for (var c = 1; c < classes; c++)
        {
            var pixels = new bool[labels.Length];
            var any = false;
            for (var i = 0; i < labels.Length; i++) any |= pixels[i] = labels[i] == c;
            if (!any) continue;
            var surface = new BinaryMask(height, width, pixels).Surface();
            for (var i = 0; i < all.Length; i++) all[i] |= surface[i];
        }
        return all;
    }
}
