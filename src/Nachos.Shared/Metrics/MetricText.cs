using System.Globalization;

namespace Nachos.Shared.Metrics;

/// <summary>How a metric value is shown to people (report tables, CLI tables, the dashboard): three decimals, invariant culture.</summary>
public static class MetricText
{
    /// <param name="missing">What an undefined (null) or non-finite value shows as: "n/a" for undefined metrics, "-" for values not there yet.</param>
    public static string Show(double? value, string missing = "n/a") =>
        value is { } v && double.IsFinite(v) ? v.ToString("F3", CultureInfo.InvariantCulture) : missing;

    /// <summary>A metric's name as people write it (AUROC, Dice, HD95); other names as they are.</summary>
    public static string Name(string metric) => metric switch
    {
        "auroc" => "AUROC",
        "dice" => "Dice",
        "hd95" => "HD95",
        "assd" => "ASSD",
        "f1" => "F1",
        "iou" => "IoU",
        _ => metric,
    };
}
