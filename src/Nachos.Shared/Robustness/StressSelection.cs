using Nachos.Shared.Spec;

namespace Nachos.Shared.Robustness;

/// <summary>Which shifts at which severities (and whether the channel grid) a stress test evaluates; every shift at every severity by default.</summary>
public sealed record StressSelection(IReadOnlyList<ShiftKind> Transforms, IReadOnlyList<int> Severities)
{
    public static readonly StressSelection All = new(Enum.GetValues<ShiftKind>(), [1, 2, 3, 4, 5]);

    /// <summary>Also the red × blue channel-scale grid (<see cref="Robustness.ChannelGrid"/>; RGB studies only).</summary>
    public bool ChannelGrid { get; init; }

    /// <summary>What a spec's <c>robustness:</c> section asks for (checked when the spec was read; a bad value is named by its key).</summary>
    /// <exception cref="FormatException">An unknown name, or a severity outside 1..5.</exception>
    public static StressSelection Of(RobustnessSpec robustness) => Of(robustness, null, null);

    /// <summary>
    /// What <c>nachos stress</c> evaluates: each option given (null: not given) overrides its part of the study's <c>robustness:</c>
    /// section, a part neither names is every shift or every severity; the channel grid as the section asks.
    /// </summary>
    /// <exception cref="FormatException">An unknown name, or a severity outside 1..5, named with its option or key.</exception>
    public static StressSelection Of(RobustnessSpec? robustness, string? transforms, string? severities) =>
        Parse(transforms ?? robustness?.Transforms, severities ?? robustness?.Severities,
            transforms is null ? "robustness.transforms" : "--transforms", severities is null ? "robustness.severities" : "--severities")
        with { ChannelGrid = robustness?.ChannelGrid == true };

    /// <summary>
    /// A comma-separated list of shift names (null: all), and severities as a range "1-5", a list "1,3,5" or one "3" (null: all).
    /// </summary>
    /// <param name="where">How the error names the value's origin: the option (--transforms) or the spec key.</param>
    /// <exception cref="FormatException">An unknown name, or a severity outside 1..5, named with its origin.</exception>
    public static StressSelection Parse(string? transforms, string? severities, string transformsWhere = "--transforms", string severitiesWhere = "--severities") =>
        new(transforms is null ? All.Transforms : ParseTransforms(transforms.Split(',', StringSplitOptions.TrimEntries), transformsWhere),
            severities is null ? All.Severities : ParseSeverities(severities, severitiesWhere));

    public static IReadOnlyList<ShiftKind> ParseTransforms(IEnumerable<string> names, string where)
    {
        var kinds = new List<ShiftKind>();
        foreach (var name in names)
        {
            if (!Shifts.TryParse(name, out var kind))
                throw new FormatException($"{where}: unknown transform '{name}' (known: {string.Join(", ", Shifts.Names)})");
            if (!kinds.Contains(kind)) kinds.Add(kind);
        }
        return kinds.Count > 0 ? kinds : throw new FormatException($"{where}: names no transform (known: {string.Join(", ", Shifts.Names)})");
    }

    public static IReadOnlyList<int> ParseSeverities(string text, string where)
    {
        var result = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', 1 < part.Length ? 1 : 0);
            var (a, b) = dash > 0 ? (part[..dash], part[(dash + 1)..]) : (part, part);
            if (!int.TryParse(a, out var low) || !int.TryParse(b, out var high) || low < 1 || high > Shifts.Severities || low > high)
                throw new FormatException($"{where}: '{part}' is not a severity from 1 to {Shifts.Severities} nor a range of them such as 1-5");
            for (var s = low; s <= high; s++) result.Add(s);
        }
        return result.ToList();
    }
}
