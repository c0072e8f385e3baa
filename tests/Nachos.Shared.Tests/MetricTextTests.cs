using Nachos.Shared.Metrics;

namespace Nachos.Shared.Tests;

public sealed class MetricTextTests
{
    [Fact]
    public void Values_show_three_decimals_and_undefined_or_non_finite_ones_their_placeholder()
    {
        Assert.Equal("0.123", MetricText.Show(0.12345));
        Assert.Equal("1.000", MetricText.Show(0.99951));
        Assert.Equal("-0.500", MetricText.Show(-0.5));
        Assert.Equal("n/a", MetricText.Show(null));
        Assert.Equal("n/a", MetricText.Show(double.NaN));
        Assert.Equal("-", MetricText.Show(double.PositiveInfinity, "-"));
    }
}
