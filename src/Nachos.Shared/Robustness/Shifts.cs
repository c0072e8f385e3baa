namespace Nachos.Shared.Robustness;

/// <summary>
/// The shifts' names and their parameter at each of the five severities: the table of docs/robustness.md, owned here.
/// </summary>
public static class Shifts
{
    public const int Severities = 5;

    public static readonly IReadOnlyList<(string Name, ShiftKind Kind, string Parameter, double[] Values)> Table =
    [
        ("gamma", ShiftKind.Gamma, "exponent γ (x ↦ x^γ)", [1.25, 1.5, 2.0, 2.5, 3.0]),
        ("brightness", ShiftKind.Brightness, "factor (x ↦ m·x, clipped)", [0.8, 0.65, 0.5, 0.35, 0.2]),
        ("contrast", ShiftKind.Contrast, "factor (blend with the mean luma)", [0.8, 0.6, 0.4, 0.3, 0.2]),
        ("gaussian-blur", ShiftKind.GaussianBlur, "σ in pixels", [0.5, 1.0, 1.5, 2.0, 3.0]),
        ("gaussian-noise", ShiftKind.GaussianNoise, "σ (image values in [0, 1])", [0.02, 0.04, 0.08, 0.12, 0.2]),
        ("jpeg", ShiftKind.Jpeg, "JPEG quality", [80, 60, 40, 20, 10]),
        ("downscale", ShiftKind.Downscale, "factor (down, then back up)", [1.5, 2, 3, 4, 6]),
        ("channel-scale", ShiftKind.ChannelScale, "s (R ×(1 + s), B ×(1 − s); one channel ×(1 − s))", [0.1, 0.2, 0.3, 0.4, 0.5]),
    ];

    public static IReadOnlyList<string> Names => Table.Select(t => t.Name).ToList();

    public static string NameOf(ShiftKind kind) => Table.First(t => t.Kind == kind).Name;

    public static bool TryParse(string name, out ShiftKind kind)
    {
        foreach (var t in Table)
            if (t.Name == name)
            {
                kind = t.Kind;
                return true;
            }
        kind = default;
        return false;
    }

    /// <summary>The parameter of <paramref name="kind"/> at <paramref name="severity"/> (1..5).</summary>
    public static double Parameter(ShiftKind kind, int severity)
    {
        if (severity is < 1 or > Severities) throw new ArgumentOutOfRangeException(nameof(severity), severity, "a severity is 1 to 5");
        return Table.First(t => t.Kind == kind).Values[severity - 1];
    }
}
