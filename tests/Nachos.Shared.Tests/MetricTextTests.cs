using System.Globalization;
using Nachos.Shared.Metrics;

namespace Nachos.Shared.Tests;

public sealed class MetricTextTests
{
    [Fact]
    public void Values_show_three_decimals_in_any_culture_and_undefined_ones_their_placeholder()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Assert.Equal("0.123", MetricText.Show(0.12345));
            Assert.Equal("1.000", MetricText.Show(0.99951));
            Assert.Equal("-0.500", MetricText.Show(-0.5));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
        Assert.Equal("n/a", MetricText.Show(null));
        Assert.Equal("n/a", MetricText.Show(double.NaN));
        Assert.Equal("-", MetricText.Show(double.PositiveInfinity, "-"));
    }
}
