using Nachos.Host.Dashboard;

namespace Nachos.EndToEnd.Tests;

/// <summary>The Grad-CAM overlay's colours: matplotlib's "jet" knots, unquantised, blended half and half with the grey image.</summary>
public sealed class GradCamOverlayTests
{
    [Theory]
    [InlineData(0.0, 0.0, 0.0, 0.5)]
    [InlineData(0.11, 0.0, 0.0, 1.0)]
    [InlineData(0.25, 0.0, 0.5, 1.0)] // green: 0.125 → 0 to 0.375 → 1
    [InlineData(0.5, 0.4838709677, 1.0, 0.4838709677)] // red: (0.5 − 0.35) / 0.31; blue: 1 − (0.5 − 0.34) / 0.31
    [InlineData(0.75, 1.0, 0.5925925926, 0.0)] // green: 1 − (0.75 − 0.64) / 0.27
    [InlineData(1.0, 0.5, 0.0, 0.0)]
    [InlineData(1.5, 0.5, 0.0, 0.0)] // clamped
    public void Jet_follows_matplotlibs_knots(double value, double r, double g, double b)
    {
        var (cr, cg, cb) = GradCamOverlay.Jet(value);
        Assert.Equal(r, cr, 9);
        Assert.Equal(g, cg, 9);
        Assert.Equal(b, cb, 9);
    }

    [Fact]
    public void A_pixel_is_half_its_grey_and_half_its_colour()
    {
        // Two channels (0.2 and 0.6: grey 0.4) at two pixels whose map values are 0 and 1.
        var rgb = GradCamOverlay.Render([0.2f, 0.2f, 0.6f, 0.6f], [0f, 1f], 1, 2);
        Assert.Equal(new byte[] { 51, 51, 115, 115, 51, 51 }, rgb); // round(255 · (0.2 + 0.5 · (0, 0, 0.5))), round(255 · (0.2 + 0.5 · (0.5, 0, 0)))
        Assert.Throws<ArgumentException>(() => GradCamOverlay.Render([0.5f], [0f, 1f], 1, 2));
    }
}
