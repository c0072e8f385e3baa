using System.Text.Json;
using Microsoft.Playwright;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// What a page in Chromium measured of one dashboard plot. ScottPlot's SVG clips the data to the plotting area (its clipPath's
/// rect, in the viewBox's units); tick labels and the legend are text outside it. A value axis is read off its tick labels (left
/// of the area: y; below it: x) and the area's edges mapped back to values.
/// </summary>
public sealed class PlotLayout
{
    public string Id { get; set; } = "";
    public int Texts { get; set; }
    public string[] OverData { get; set; } = [];
    public double[][] YTicks { get; set; } = [];
    public double[][] XTicks { get; set; } = [];
    public double[] Area { get; set; } = [];

    /// <summary>The markers (ellipses) whose centre lies in the plotting area: x, y (page pixels), radius, and 1 when filled, 0 when a ring.</summary>
    public double[][] Markers { get; set; } = [];

    public static async Task<PlotLayout[]> Measure(IPage page, string selector)
    {
        var measured = await page.EvaluateAsync<string>(@"selector => JSON.stringify(Array.from(document.querySelectorAll(selector)).map(svg => {
            const box = svg.getBoundingClientRect(), scale = box.width / svg.viewBox.baseVal.width;
            const r = svg.querySelector('clipPath rect');
            const at = (name, origin) => origin + r[name].baseVal.value * scale;
            const c = { left: at('x', box.left), top: at('y', box.top) };
            c.right = c.left + r.width.baseVal.value * scale;
            c.bottom = c.top + r.height.baseVal.value * scale;
            const texts = Array.from(svg.querySelectorAll('text')).map(t => ({ text: t.textContent.trim(), b: t.getBoundingClientRect() }));
            const inside = b => b.left < c.right - 1 && b.right > c.left + 1 && b.top < c.bottom - 1 && b.bottom > c.top + 1;
            const numeric = t => /^-?[0-9.]+$/.test(t.text.replace('\u2212', '-'));
            const value = t => Number(t.text.replace('\u2212', '-'));
            const markers = Array.from(svg.querySelectorAll('ellipse')).map(e => {
                const b = e.getBoundingClientRect();
                return [(b.left + b.right) / 2, (b.top + b.bottom) / 2, e.rx.baseVal.value * scale, e.getAttribute('fill') === 'none' ? 0 : 1];
            }).filter(m => m[0] > c.left && m[0] < c.right && m[1] > c.top && m[1] < c.bottom);
            return {
                id: svg.id,
                texts: texts.length,
                overData: texts.filter(t => inside(t.b)).map(t => t.text),
                yTicks: texts.filter(t => numeric(t) && t.b.right <= c.left + 1).map(t => [value(t), (t.b.top + t.b.bottom) / 2]),
                xTicks: texts.filter(t => numeric(t) && t.b.top >= c.bottom - 1).map(t => [value(t), (t.b.left + t.b.right) / 2]),
                area: [c.left, c.top, c.right, c.bottom],
                markers,
            };
        }))", selector);
        return JsonSerializer.Deserialize<PlotLayout[]>(measured, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    }

    public void AssertYWithinUnit() => AssertWithinUnit(Id + " y", YTicks, Area[3], Area[1]);

    public void AssertXWithinUnit() => AssertWithinUnit(Id + " x", XTicks, Area[0], Area[2]);

    /// <summary>
    /// The values at both ends of an axis, from a line through its lowest and highest tick labels, lie in [0, 1] to within
    /// 4.5 px (a label's centre sits a few pixels off its tick; the axes before this change ran 7 px or more past 0 or 1).
    /// </summary>
    private static void AssertWithinUnit(string axis, double[][] ticks, double start, double end)
    {
        Assert.True(ticks.Length >= 2, $"{axis}: {ticks.Length} tick labels");
        var (a, b) = (ticks.MinBy(t => t[0])!, ticks.MaxBy(t => t[0])!);
        var perPixel = (b[0] - a[0]) / (b[1] - a[1]);
        double ValueAt(double pixel) => a[0] + (pixel - a[1]) * perPixel;
        var (low, high) = (Math.Min(ValueAt(start), ValueAt(end)), Math.Max(ValueAt(start), ValueAt(end)));
        var tolerance = 4.5 * Math.Abs(perPixel);
        Assert.True(low >= -tolerance && high <= 1 + tolerance, $"{axis}: the axis runs from {low:F3} to {high:F3} (tolerance {tolerance:F3})");
    }
}
