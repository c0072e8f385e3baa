using System.Globalization;

namespace Nachos.Host.Dashboard;

/// <summary>The robustness heatmaps' colour of a drop from the baseline: red for a drop, blue for a gain, stronger the larger against the largest.</summary>
public static class DropShade
{
    /// <summary>The base colour and its opacity (0 to 0.6); null where the drop is undefined or every drop is 0.</summary>
    public static (byte R, byte G, byte B, double Alpha)? Of(double? drop, double largest)
    {
        if (drop is not { } d || largest <= 0) return null;
        var alpha = Math.Min(1, Math.Abs(d) / largest) * 0.6;
        return d >= 0 ? ((byte)214, (byte)39, (byte)40, alpha) : ((byte)31, (byte)119, (byte)180, alpha);
    }

    /// <summary>As a CSS background.</summary>
    public static string Css(double? drop, double largest) => Of(drop, largest) is { } c
        ? $"background: rgba({c.R}, {c.G}, {c.B}, {c.Alpha.ToString("0.00", CultureInfo.InvariantCulture)})" : "";

    /// <summary>The colour over a white background, opaque.</summary>
    public static ScottPlot.Color OnWhite(double? drop, double largest)
    {
        if (Of(drop, largest) is not { } c) return ScottPlot.Colors.White;
        byte Blend(byte v) => (byte)Math.Round(255 * (1 - c.Alpha) + v * c.Alpha);
        return new ScottPlot.Color(Blend(c.R), Blend(c.G), Blend(c.B));
    }
}
