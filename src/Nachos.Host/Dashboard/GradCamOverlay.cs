namespace Nachos.Host.Dashboard;

/// <summary>
/// A Grad-CAM map drawn over its image: the image in grey (the mean of its channels), blended half and half with the
/// map in matplotlib's "jet" colour map (0: dark blue, 0.35: cyan, 0.5: green, 0.65: yellow, 1: dark red).
/// </summary>
public static class GradCamOverlay
{
    /// <summary>The weight of the colour map in the blend.</summary>
    public const double Alpha = 0.5;

    // matplotlib's _jet_data: per channel, (x, value) knots of a piecewise-linear function on [0, 1].
    private static readonly (double X, double Y)[] Red = [(0, 0), (0.35, 0), (0.66, 1), (0.89, 1), (1, 0.5)];
    private static readonly (double X, double Y)[] Green = [(0, 0), (0.125, 0), (0.375, 1), (0.64, 1), (0.91, 0), (1, 0)];
    private static readonly (double X, double Y)[] Blue = [(0, 0.5), (0.11, 1), (0.34, 1), (0.65, 0), (1, 0)];

    /// <summary>The jet colour of <paramref name="value"/> (clamped to [0, 1]), each channel in [0, 1].</summary>
    public static (double R, double G, double B) Jet(double value)
    {
        var v = Math.Clamp(double.IsNaN(value) ? 0 : value, 0, 1);
        return (Knots(Red, v), Knots(Green, v), Knots(Blue, v));
    }

    /// <param name="image">C×H×W planar intensities in [0, 1].</param>
    /// <param name="map">H×W values in [0, 1].</param>
    /// <returns>H×W×3 interleaved RGB.</returns>
    public static byte[] Render(float[] image, float[] map, int height, int width)
    {
        var plane = height * width;
        if (map.Length != plane || image.Length == 0 || image.Length % plane != 0)
            throw new ArgumentException($"a {height}×{width} overlay needs {plane} map values and a whole number of image planes");
        var channels = image.Length / plane;
        var rgb = new byte[plane * 3];
        for (var i = 0; i < plane; i++)
        {
            double gray = 0;
            for (var c = 0; c < channels; c++) gray += image[c * plane + i];
            gray = Math.Clamp(gray / channels, 0, 1);
            var (r, g, b) = Jet(map[i]);
            rgb[i * 3] = Byte((1 - Alpha) * gray + Alpha * r);
            rgb[i * 3 + 1] = Byte((1 - Alpha) * gray + Alpha * g);
            rgb[i * 3 + 2] = Byte((1 - Alpha) * gray + Alpha * b);
        }
        return rgb;
    }

    private static byte Byte(double v) => (byte)Math.Clamp(Math.Round(v * 255), 0, 255);

    private static double Knots((double X, double Y)[] knots, double v)
    {
        for (var k = 1; k < knots.Length; k++)
            if (v <= knots[k].X)
            {
                var (a, b) = (knots[k - 1], knots[k]);
                return a.Y + (b.Y - a.Y) * (v - a.X) / (b.X - a.X);
            }
        return knots[^1].Y;
    }
}
