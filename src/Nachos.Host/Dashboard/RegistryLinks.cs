namespace Nachos.Host.Dashboard;

/// <summary>Where the served models pages are: /models, /models/{task}[?sort=…] and /models/{task}/v{n}.zip (the registered bundle).</summary>
public static class RegistryLinks
{
    public const string Root = "/models";

    public static string Task(string task, string? sort = null) =>
        $"{Root}/{Uri.EscapeDataString(task)}" + (sort is null ? "" : "?sort=" + Uri.EscapeDataString(sort));

    public static string Bundle(string task, int version) => $"{Root}/{Uri.EscapeDataString(task)}/{BundleFile(version)}";

    public static string BundleFile(int version) => $"v{version}.zip";

    /// <summary>The version a bundle's file name (v{n}.zip) names, or null.</summary>
    public static int? Version(string file) =>
        file.StartsWith('v') && file.EndsWith(".zip", StringComparison.Ordinal)
        && int.TryParse(file.AsSpan(1, file.Length - 5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0
            ? v : null;
}
