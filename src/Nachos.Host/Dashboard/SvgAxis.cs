using System.Globalization;

namespace Nachos.Host.Dashboard;

/// <summary>
/// A numeric axis from data values to pixels (<paramref name="From"/> at <paramref name="Low"/>, <paramref name="To"/> at
/// <paramref name="High"/>), linear or logarithmic, with readable ticks.
/// </summary>
internal sealed record SvgAxis(double Low, double High, bool Log, double From, double To)
{
    /// <summary>The range of <paramref name="values"/> with a margin (5 % of the span, in log space for a log axis); never empty.</summary>
    public static SvgAxis Around(IReadOnlyList<double> values, bool log, double from, double to)
    {
        var t = values.Where(double.IsFinite).Where(v => !log || v > 0).Select(v => log ? Math.Log10(v) : v).DefaultIfEmpty(log ? 0 : 0.5).ToList();
        var (min, max) = (t.Min(), t.Max());
        var margin = Math.Max(0.05 * (max - min), log ? 0.1 : Math.Max(Math.Abs(max) * 0.05, 0.5));
        (min, max) = (min - margin, max + margin);
        return log ? new SvgAxis(Math.Pow(10, min), Math.Pow(10, max), true, from, to) : new SvgAxis(min, max, false, from, to);
    }

    public double Map(double v)
    {
        var t = Log ? (Math.Log10(v) - Math.Log10(Low)) / (Math.Log10(High) - Math.Log10(Low)) : (v - Low) / (High - Low);
        return From + t * (To - From);
    }

    /// <summary>About five ticks: 1, 2, 5 × 10ᵏ steps on a linear axis; decades on a log axis (or 1, 2, 5 within one, or powers of two).</summary>
    public IReadOnlyList<(double Value, string Label)> Ticks(bool integers = false)
    {
        if (!Log) return Linear(integers);
        var (lo, hi) = ((int)Math.Floor(Math.Log10(Low)), (int)Math.Ceiling(Math.Log10(High)));
        foreach (var mantissas in new[] { new[] { 1.0 }, [1.0, 2, 5], [1.0, 2, 3, 5, 7] })
        {
            var ticks = Enumerable.Range(lo, hi - lo + 1).SelectMany(k => mantissas.Select(m => m * Math.Pow(10, k))).Where(Inside).ToList();
            if (ticks.Count >= 3 || mantissas.Length == 5 && ticks.Count >= 2)
            {
                var every = (int)Math.Ceiling(ticks.Count / 7.0);
                return ticks.Where((_, i) => i % every == 0).Select(v => (v, Label(v))).ToList();
            }
        }
        return Linear(integers);
    }

    /// <summary>Powers of two within the axis (for power-of-two hyperparameters), at most eight.</summary>
    public IReadOnlyList<(double Value, string Label)> PowerOfTwoTicks()
    {
        var ticks = Enumerable.Range(0, 63).Select(k => Math.Pow(2, k)).Where(Inside).ToList();
        var every = (int)Math.Ceiling(ticks.Count / 8.0);
        return ticks.Where((_, i) => i % every == 0).Select(v => (v, Label(v))).ToList();
    }

    private List<(double, string)> Linear(bool integers)
    {
        var raw = (High - Low) / 5;
        var power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1.0, 2, 5, 10 }.Select(m => m * power).First(s => s >= raw);
        if (integers) step = Math.Max(1, Math.Round(step));
        var ticks = new List<(double, string)>();
        for (var v = Math.Ceiling(Low / step) * step; v <= High + step * 1e-9; v += step)
            ticks.Add((Math.Abs(v) < step * 1e-9 ? 0 : v, Label(Math.Abs(v) < step * 1e-9 ? 0 : v)));
        return ticks;
    }

    private bool Inside(double v) => v >= Low * (1 - 1e-12) && v <= High * (1 + 1e-12);

    public static string Label(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
}
