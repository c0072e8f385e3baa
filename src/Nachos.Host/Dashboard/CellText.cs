using System.Globalization;
using Nachos.Shared.Metrics;

namespace Nachos.Host.Dashboard;

/// <summary>How the dashboard writes a metric value: for people, and exactly (for sorting and tests).</summary>
public static class CellText
{
    /// <summary>For people: three decimals, "n/a" when undefined.</summary>
    public static string Show(double? v) => MetricText.Show(v);

    /// <summary>For sorting and tests: the exact value, empty when undefined.</summary>
    public static string Exact(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("R", CultureInfo.InvariantCulture) : "";
}
