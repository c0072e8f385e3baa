using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Components;
using Nachos.Shared.Metrics;
using Nachos.Shared.Study;

namespace Nachos.Host.Dashboard;

/// <summary>
/// The search plots of one fold, drawn as inline SVG by hand (not ScottPlot) so that every trial is an element with a
/// &lt;title&gt;: hovering it names the trial, its configuration and score, with no script and nothing outside the page.
/// Legends sit above the plotting area, never on the data.
/// </summary>
public static partial class Plots
{
    private const string Blue = "#1f77b4", Orange = "#ff7f0e", Red = "#d62728", Grid = "#eef0f4", Ink = "#1d2430", Grey = "#667085";
    private const int Top = 40, Left = 64;

    /// <summary>Score by trial number: every trial, the best score so far, the chosen trial ringed, failed trials as × in a band below.</summary>
    public static MarkupString SearchTrials(string id, FoldSearch fold, string metric)
    {
        const int width = 560, height = 330;
        var x = new SvgAxis(fold.Points.Min(p => p.Trial) - 0.5, fold.Points.Max(p => p.Trial) + 0.5, false, Left, width - 16);
        var svg = new SvgWriter(id, width, height, $"{Title(fold)}: inner validation {MetricText.Name(metric)} by trial");
        var panel = ScorePanel(svg, metric, x, height, fold.Points.Select(p => (x.Map(p.Trial), p)).ToList(), x.Ticks(integers: true), "trial number");
        // The best so far: a step line from the first scored trial on.
        var steps = new StringBuilder();
        for (var i = 0; i < fold.Points.Count; i++)
        {
            if (fold.BestSoFar[i] is not { } best) continue;
            var (px, py) = (x.Map(fold.Points[i].Trial), panel.Map(best));
            steps.Append(steps.Length == 0 ? $"M{F(px)} {F(py)}" : $" H{F(px)} V{F(py)}");
        }
        if (steps.Length > 0)
            svg.Raw($"<path class=\"best-so-far\" d=\"{steps} H{F(x.Map(fold.Points[^1].Trial))}\" fill=\"none\" stroke=\"{Orange}\" stroke-width=\"2\"><title>best inner validation {Esc(MetricText.Name(metric))} so far</title></path>");
        Points(svg, metric, panel, fold.Points.Select(p => (x.Map(p.Trial), p)).ToList());
        Legend(svg, [("trial", Swatch.Point), ("best so far", Swatch.Line), ("chosen trial", Swatch.Ring), .. fold.Points.Any(p => p.Score is null) ? new[] { ("failed (no score)", Swatch.Cross) } : []]);
        return svg.End();
    }

    /// <summary>Score against one hyperparameter: a log axis for log-scaled ones, jittered strips per value for categorical ones.</summary>
    public static MarkupString SearchParameter(string id, FoldSearch fold, SearchParameter parameter, string metric)
    {
        const int width = 380, height = 300;
        var points = fold.Points.Where(p => p.Config.Values.ContainsKey(parameter.Name)).ToList();
        var svg = new SvgWriter(id, width, height, $"{Title(fold)}: inner validation {MetricText.Name(metric)} against {parameter.Name}");
        List<(double X, SearchPoint P)> marks;
        IReadOnlyList<(double Value, string Label)> ticks;
        Func<double, double> map;
        if (parameter.Scale == ParameterScale.Categorical)
        {
            var band = (width - 16.0 - Left) / parameter.Categories.Count;
            map = i => Left + band * (i + 0.5);
            // A fixed spread by trial number: the same search gives the same picture.
            marks = points.Select(p => (map(IndexOf(parameter, p)) + ((p.Trial * 7 % 11) / 10.0 - 0.5) * band * 0.5, p)).ToList();
            ticks = parameter.Categories.Select((c, i) => ((double)i, c)).ToList();
        }
        else
        {
            var values = points.Select(p => SearchPlots.Number(p.Config.Values[parameter.Name])!.Value).ToList();
            var axis = SvgAxis.Around(values, parameter.Scale == ParameterScale.Log, Left, width - 16);
            map = axis.Map;
            marks = points.Select((p, i) => (axis.Map(values[i]), p)).ToList();
            ticks = NumericTicks(axis, values);
        }
        var label = parameter.Name + (parameter.Scale == ParameterScale.Log ? " (log scale)" : "");
        var panel = ScorePanel(svg, metric, null, height, marks, ticks.Select(t => (map(t.Value), t.Label)).ToList(), label, pixelTicks: true);
        Points(svg, metric, panel, marks);
        Legend(svg, [("trial", Swatch.Point), ("chosen trial", Swatch.Ring), .. marks.Any(m => m.P.Score is null) ? new[] { ("failed", Swatch.Cross) } : []]);
        return svg.End();
    }

    /// <summary>
    /// Parallel coordinates: an axis per hyperparameter and one for the score, each trial a line through its values, darker for a
    /// better score; the chosen trial in red. A line breaks where a conditional parameter is absent; failed trials are left out.
    /// </summary>
    public static MarkupString SearchParallel(string id, FoldSearch fold, string metric, bool maximise)
    {
        var axes = fold.Parameters.Count + 1;
        var width = Math.Max(520, 150 * axes);
        const int height = 330, bottom = height - 52;
        var svg = new SvgWriter(id, width, height, $"{Title(fold)}: parallel coordinates of the hyperparameters and the inner validation {MetricText.Name(metric)}");
        var scored = fold.Points.Where(p => p.Score is not null).ToList();
        var xs = Enumerable.Range(0, axes).Select(i => 70 + i * (width - 140.0) / Math.Max(1, axes - 1)).ToList();
        var maps = new List<Func<SearchPoint, double?>>();
        // Axes are drawn over the lines, their labels haloed, so the labels stay legible.
        var axisMarkup = new List<(double X, IReadOnlyList<(double Y, string Label)> Ticks, string Label)>();
        for (var i = 0; i < fold.Parameters.Count; i++)
        {
            var parameter = fold.Parameters[i];
            IReadOnlyList<(double Y, string Label)> ticks;
            if (parameter.Scale == ParameterScale.Categorical)
            {
                var n = parameter.Categories.Count;
                double At(int k) => n == 1 ? (Top + bottom) / 2.0 : bottom - k * (bottom - Top) / (n - 1.0);
                maps.Add(p => p.Config.Values.ContainsKey(parameter.Name) ? At(IndexOf(parameter, p)) : null);
                ticks = parameter.Categories.Select((c, k) => (At(k), c)).ToList();
            }
            else
            {
                var values = scored.Select(p => p.Config.Values.GetValueOrDefault(parameter.Name)).OfType<string>().Select(v => SearchPlots.Number(v)!.Value).ToList();
                var axis = SvgAxis.Around(values, parameter.Scale == ParameterScale.Log, bottom, Top);
                maps.Add(p => p.Config.Values.TryGetValue(parameter.Name, out var v) ? axis.Map(SearchPlots.Number(v)!.Value) : null);
                ticks = NumericTicks(axis, values).Select(t => (axis.Map(t.Value), t.Label)).ToList();
            }
            axisMarkup.Add((xs[i], ticks, parameter.Name + (parameter.Scale == ParameterScale.Log ? " (log)" : "")));
        }
        var (low, high) = SearchPlots.ScoreRange(metric, scored.Select(p => p.Score!.Value));
        var score = new SvgAxis(low, high, false, bottom, Top);
        maps.Add(p => score.Map(p.Score!.Value));
        axisMarkup.Add((xs[^1], score.Ticks().Select(t => (score.Map(t.Value), t.Label)).ToList(), $"inner validation {MetricText.Name(metric)}"));
        // Worst first, so the better lines (darker) lie on top; the chosen trial last.
        var order = scored.OrderBy(p => p.Chosen).ThenBy(p => maximise ? p.Score : -p.Score).ToList();
        for (var r = 0; r < order.Count; r++)
        {
            var p = order[r];
            var path = new StringBuilder();
            var pen = false;
            for (var i = 0; i < axes; i++)
            {
                if (maps[i](p) is not { } y)
                {
                    pen = false;
                    continue;
                }
                path.Append(pen ? " L" : (path.Length == 0 ? "M" : " M")).Append(F(xs[i])).Append(' ').Append(F(y));
                pen = true;
            }
            var shade = order.Count == 1 ? 1 : (double)r / (order.Count - 1);
            var colour = p.Chosen ? Red : Mix("#c6dbef", "#08306b", shade);
            svg.Raw($"<path class=\"trial{(p.Chosen ? " chosen" : "")}\" data-trial=\"{p.Trial}\" d=\"{path}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{(p.Chosen ? 3 : 2)}\"><title>{Esc(Describe(p, metric))}</title></path>");
        }
        foreach (var (ax, ticks, label) in axisMarkup) VerticalAxis(svg, ax, bottom, ticks, label);
        svg.Raw($"<g class=\"legend\">{LegendItem(Left, 16, Swatch.Line, "trial (darker: better score)", "#4f7fb5")}{LegendItem(Left + 220, 16, Swatch.Line, "chosen trial", Red)}</g>");
        return svg.End();
    }

    /// <summary>Each hyperparameter's importance as a bar on [0, 1], with its method and the number of trials behind it.</summary>
    public static MarkupString SearchImportance(string id, FoldSearch fold)
    {
        const int width = 460, barLeft = 170, barRight = width - 70;
        var height = 60 + 30 * fold.Importance.Count;
        var svg = new SvgWriter(id, width, height, $"{Title(fold)}: hyperparameter importance");
        var axis = new SvgAxis(0, 1, false, barLeft, barRight);
        var bottom = 30 + 30 * fold.Importance.Count;
        foreach (var (v, label) in axis.Ticks())
            svg.Raw($"<line x1=\"{F(axis.Map(v))}\" y1=\"24\" x2=\"{F(axis.Map(v))}\" y2=\"{bottom}\" stroke=\"{Grid}\"/><text x=\"{F(axis.Map(v))}\" y=\"{bottom + 14}\" text-anchor=\"middle\" fill=\"{Grey}\">{label}</text>");
        svg.Raw($"<text x=\"{F((barLeft + barRight) / 2.0)}\" y=\"14\" text-anchor=\"middle\" fill=\"{Ink}\">share of the score's variance explained (0–1)</text>");
        for (var i = 0; i < fold.Importance.Count; i++)
        {
            var imp = fold.Importance[i];
            var y = 30 + 30 * i;
            var symbol = imp.Method == SearchPlots.SpearmanMethod ? "ρ²" : "η²";
            var text = $"{imp.Parameter}: {imp.Method} = {(imp.Value is { } v ? v.ToString("F3", CultureInfo.InvariantCulture) : "undefined")} over {imp.Trials} scored trials";
            svg.Raw($"<text x=\"{barLeft - 8}\" y=\"{y + 15}\" text-anchor=\"end\" fill=\"{Ink}\">{Esc(Clip(imp.Parameter, 20))} ({symbol})</text>");
            svg.Raw($"<rect class=\"importance\" data-parameter=\"{Esc(imp.Parameter)}\" data-value=\"{CellText.Exact(imp.Value)}\" x=\"{barLeft}\" y=\"{y + 4}\" width=\"{F(Math.Max(imp.Value ?? 0, 0.002) * (barRight - barLeft))}\" height=\"16\" fill=\"{(imp.Value is null ? Grid : Blue)}\"><title>{Esc(text)}</title></rect>");
            svg.Raw($"<text x=\"{F(axis.Map(imp.Value ?? 0) + 4)}\" y=\"{y + 16}\" fill=\"{Grey}\">{(imp.Value is { } w ? w.ToString("F2", CultureInfo.InvariantCulture) : "n/a")}</text>");
        }
        return svg.End();
    }

    /// <summary>Powers of two on the log axis of a power-of-two parameter; otherwise the axis's own ticks.</summary>
    private static IReadOnlyList<(double Value, string Label)> NumericTicks(SvgAxis axis, IReadOnlyList<double> values) =>
        axis.Log && values.Count > 0 && values.All(v => v >= 1 && Math.Log2(v) == Math.Round(Math.Log2(v))) ? axis.PowerOfTwoTicks() : axis.Ticks();

    private static string Title(FoldSearch fold) => fold.Deploy ? "deploy fold" : $"outer fold {fold.Outer}";

    private static int IndexOf(SearchParameter parameter, SearchPoint p) => parameter.Categories.ToList().IndexOf(p.Config.Values[parameter.Name]);

    /// <summary>A point's hover text: the trial, its configuration and its score (or why it has none).</summary>
    private static string Describe(SearchPoint p, string metric) =>
        $"trial {p.Trial}{(p.Chosen ? " (chosen)" : "")}: {p.Config.Display()}; " +
        (p.Score is { } s ? $"inner validation {MetricText.Name(metric)} {s.ToString("G4", CultureInfo.InvariantCulture)}" : $"no score: {p.Failure ?? "metric undefined"}");

    /// <summary>The score axis, grid and x ticks of a scatter; failed trials get a band below the plotting area.</summary>
    private static SvgAxis ScorePanel(SvgWriter svg, string metric, SvgAxis? x, int height, IReadOnlyList<(double X, SearchPoint P)> marks,
        IReadOnlyList<(double Value, string Label)> ticks, string xLabel, bool pixelTicks = false)
    {
        var failed = marks.Any(m => m.P.Score is null);
        var plotBottom = height - (failed ? 76 : 56);
        var (low, high) = SearchPlots.ScoreRange(metric, marks.Select(m => m.P.Score).OfType<double>());
        var y = new SvgAxis(low, high, false, plotBottom, Top);
        var right = svg.Width - 16;
        foreach (var (v, label) in y.Ticks())
            svg.Raw($"<line x1=\"{Left}\" y1=\"{F(y.Map(v))}\" x2=\"{right}\" y2=\"{F(y.Map(v))}\" stroke=\"{Grid}\"/><text x=\"{Left - 6}\" y=\"{F(y.Map(v) + 4)}\" text-anchor=\"end\" fill=\"{Grey}\">{label}</text>");
        svg.Raw($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{right - Left}\" height=\"{plotBottom - Top}\" fill=\"none\" stroke=\"#b8bfcc\"/>");
        var tickY = plotBottom;
        if (failed)
        {
            tickY = plotBottom + 20;
            svg.Raw($"<rect x=\"{Left}\" y=\"{plotBottom + 4}\" width=\"{right - Left}\" height=\"16\" fill=\"#fdf1f0\"/><text x=\"{Left - 6}\" y=\"{plotBottom + 16}\" text-anchor=\"end\" fill=\"{Red}\">failed</text>");
        }
        foreach (var (v, label) in ticks)
        {
            var px = pixelTicks ? v : x!.Map(v);
            svg.Raw($"<line x1=\"{F(px)}\" y1=\"{tickY}\" x2=\"{F(px)}\" y2=\"{tickY + 4}\" stroke=\"{Grey}\"/><text x=\"{F(px)}\" y=\"{tickY + 16}\" text-anchor=\"middle\" fill=\"{Grey}\">{Esc(Clip(label, 14))}</text>");
        }
        svg.Raw($"<text x=\"{F((Left + right) / 2.0)}\" y=\"{height - 8}\" text-anchor=\"middle\" fill=\"{Ink}\">{Esc(xLabel)}</text>");
        svg.Raw($"<text transform=\"translate(16 {F((Top + plotBottom) / 2.0)}) rotate(-90)\" text-anchor=\"middle\" fill=\"{Ink}\">inner validation {Esc(MetricText.Name(metric))}</text>");
        return y;
    }

    /// <summary>Every trial as a point with its hover text; the chosen one ringed; failed ones as × in the band below.</summary>
    private static void Points(SvgWriter svg, string metric, SvgAxis y, IReadOnlyList<(double X, SearchPoint P)> marks)
    {
        var band = y.From + 12;
        foreach (var (x, p) in marks.OrderBy(m => m.P.Chosen))
        {
            var title = $"<title>{Esc(Describe(p, metric))}</title>";
            if (p.Score is not { } s)
            {
                svg.Raw($"<path class=\"trial failed\" data-trial=\"{p.Trial}\" d=\"M{F(x - 4)} {F(band - 4)} l8 8 m0 -8 l-8 8\" stroke=\"{Red}\" stroke-width=\"2\">{title}</path>");
                continue;
            }
            var cy = F(y.Map(s));
            svg.Raw($"<circle class=\"trial{(p.Chosen ? " chosen" : "")}\" data-trial=\"{p.Trial}\" cx=\"{F(x)}\" cy=\"{cy}\" r=\"4.5\" fill=\"{Blue}\" fill-opacity=\"0.8\">{title}</circle>");
            if (p.Chosen)
                svg.Raw($"<circle class=\"chosen-mark\" cx=\"{F(x)}\" cy=\"{cy}\" r=\"9\" fill=\"none\" stroke=\"{Red}\" stroke-width=\"2.5\">{title}</circle>");
        }
    }

    private static void VerticalAxis(SvgWriter svg, double x, int bottom, IReadOnlyList<(double Y, string Label)> ticks, string label)
    {
        svg.Raw($"<line x1=\"{F(x)}\" y1=\"{Top}\" x2=\"{F(x)}\" y2=\"{bottom}\" stroke=\"{Grey}\"/>");
        foreach (var (y, text) in ticks)
            svg.Raw($"<line x1=\"{F(x - 3)}\" y1=\"{F(y)}\" x2=\"{F(x)}\" y2=\"{F(y)}\" stroke=\"{Grey}\"/><text x=\"{F(x - 5)}\" y=\"{F(y + 4)}\" text-anchor=\"end\" fill=\"{Grey}\" font-size=\"10\" paint-order=\"stroke\" stroke=\"#fff\" stroke-width=\"3\">{Esc(Clip(text, 12))}</text>");
        svg.Raw($"<text x=\"{F(x)}\" y=\"{bottom + 20}\" text-anchor=\"middle\" fill=\"{Ink}\">{Esc(Clip(label, 24))}</text>");
    }

    private enum Swatch { Point, Line, Ring, Cross }

    /// <summary>A legend in the top margin, left to right.</summary>
    private static void Legend(SvgWriter svg, IReadOnlyList<(string Label, Swatch Kind)> items)
    {
        var x = (double)Left;
        var g = new StringBuilder("<g class=\"legend\">");
        foreach (var (label, kind) in items)
        {
            g.Append(LegendItem(x, 16, kind, label, kind switch { Swatch.Line => Orange, Swatch.Point => Blue, _ => Red }));
            x += 30 + 6.5 * label.Length;
        }
        svg.Raw(g.Append("</g>").ToString());
    }

    private static string LegendItem(double x, double y, Swatch kind, string label, string colour)
    {
        var mark = kind switch
        {
            Swatch.Point => $"<circle cx=\"{F(x + 8)}\" cy=\"{F(y)}\" r=\"4.5\" fill=\"{colour}\"/>",
            Swatch.Line => $"<line x1=\"{F(x)}\" y1=\"{F(y)}\" x2=\"{F(x + 16)}\" y2=\"{F(y)}\" stroke=\"{colour}\" stroke-width=\"2.5\"/>",
            Swatch.Ring => $"<circle cx=\"{F(x + 8)}\" cy=\"{F(y)}\" r=\"6\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\"/>",
            _ => $"<path d=\"M{F(x + 4)} {F(y - 4)} l8 8 m0 -8 l-8 8\" stroke=\"{colour}\" stroke-width=\"2\"/>",
        };
        return mark + $"<text x=\"{F(x + 22)}\" y=\"{F(y + 4)}\" fill=\"{Ink}\">{Esc(label)}</text>";
    }

    private static string Mix(string from, string to, double t)
    {
        int C(string hex, int i) => Convert.ToInt32(hex.Substring(1 + 2 * i, 2), 16);
        return "#" + string.Concat(Enumerable.Range(0, 3).Select(i => ((int)Math.Round(C(from, i) + (C(to, i) - C(from, i)) * t)).ToString("x2", CultureInfo.InvariantCulture)));
    }

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    /// <summary>Markup characters escaped, everything else as it is (WebUtility.HtmlEncode would also turn ρ² into entities).</summary>
    private static string Esc(string text) =>
        text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;").Replace("'", "&#39;");

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>An inline &lt;svg&gt; written element by element.</summary>
    private sealed class SvgWriter
    {
        private readonly StringBuilder _text = new();

        public SvgWriter(string id, int width, int height, string label)
        {
            Width = width;
            _text.Append($"<svg id=\"{id}\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{Esc(label)}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"11\">");
        }

        public int Width { get; }

        public void Raw(string markup) => _text.Append(markup);

        public MarkupString End() => new(_text.Append("</svg>").ToString());
    }
}
