namespace Nachos.Shared.Robustness;

/// <summary>One cell of the red × blue channel-scale grid: red times (1 + <paramref name="Red"/>), blue times (1 + <paramref name="Blue"/>).</summary>
public sealed record ChannelGridCell(double Red, double Blue)
{
    public bool IsCentre => Red == 0 && Blue == 0;
}

/// <summary>
/// The red × blue channel-scale grid of an RGB study's stress test (docs/robustness.md): the two channels scaled
/// independently, each by 1 + a level, green kept. The centre (both levels 0) is the unshifted baseline.
/// </summary>
public static class ChannelGrid
{
    public static readonly IReadOnlyList<double> Levels = [-0.4, -0.2, 0, 0.2, 0.4];

    /// <summary>Every cell, red level major (the order of the report's cells).</summary>
    public static IReadOnlyList<ChannelGridCell> All => Levels.SelectMany(r => Levels.Select(b => new ChannelGridCell(r, b))).ToList();

    /// <summary>The cells a stress test evaluates: all but the centre, which is the baseline.</summary>
    public static IReadOnlyList<ChannelGridCell> Evaluated => All.Where(c => !c.IsCentre).ToList();

    /// <summary>The grid's block of robustness.json, each cell summarised as any other condition against <paramref name="baseline"/>.</summary>
    /// <param name="perFold">Per evaluated cell (as <see cref="Evaluated"/>), its raw per-fold metrics in the order of the baseline's.</param>
    public static ChannelGridReport Build(IReadOnlyList<string> metrics, RobustnessReport.Measured baseline,
        IReadOnlyList<(ChannelGridCell Cell, IReadOnlyList<IReadOnlyDictionary<string, double?>> PerFold)> perFold)
    {
        var cells = All.Select(cell =>
        {
            var folds = cell.IsCentre ? baseline.PerFold : perFold.Single(p => p.Cell == cell).PerFold;
            var condition = RobustnessReport.Condition(new RobustnessReport.Measured(Name, 0, null, folds), metrics, baseline);
            return new ChannelGridReport.Cell(cell.Red, cell.Blue, condition.Metrics);
        }).ToList();
        return new ChannelGridReport(Levels, cells);
    }

    /// <summary>The transform name a grid cell's measurement carries.</summary>
    public const string Name = "channel-grid";
}

/// <summary>robustness.json's <c>channel_grid</c>: the levels and, per cell, each metric as in any other condition.</summary>
public sealed record ChannelGridReport(IReadOnlyList<double> Levels, IReadOnlyList<ChannelGridReport.Cell> Cells)
{
    /// <param name="Red">The red level: red times 1 + Red.</param>
    /// <param name="Blue">The blue level: blue times 1 + Blue.</param>
    public sealed record Cell(double Red, double Blue, IReadOnlyList<ShiftedMetric> Metrics)
    {
        public ShiftedMetric? Of(string metric) => Metrics.FirstOrDefault(m => m.Metric == metric);
    }

    public Cell? At(double red, double blue) => Cells.FirstOrDefault(c => Math.Abs(c.Red - red) < 1e-9 && Math.Abs(c.Blue - blue) < 1e-9);

    /// <summary>A level as the channel's factor, "×1.2".</summary>
    public static string Factor(double level) => "×" + (1 + level).ToString("0.0#", System.Globalization.CultureInfo.InvariantCulture);
}
