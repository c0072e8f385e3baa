namespace Nachos.Shared.Data;

/// <summary>
/// The folders a spec may read data from (and write synthetic data to). A node's control API checks every path
/// a submitted spec names, and every image and mask its manifest lists, against the campaign directory and the
/// operator's data roots, after following symbolic links; <see cref="Anywhere"/> is a local user's own run.
/// </summary>
public sealed class DataRoots
{
    private readonly IReadOnlyList<string>? _roots;

    private DataRoots(IReadOnlyList<string>? roots) => _roots = roots;

    /// <summary>No limit: the command line of the user who owns the files.</summary>
    public static DataRoots Anywhere { get; } = new(null);

    public static DataRoots Under(IEnumerable<string> roots) =>
        new(roots.Select(r => RealPath.Resolve(Path.GetFullPath(r))).Distinct(StringComparer.Ordinal).ToList());

    public IReadOnlyList<string> Roots => _roots ?? [];

    public bool Allows(string path)
    {
        if (_roots is null) return true;
        string real;
        try
        {
            // Not Path.GetFullPath: it drops "x/.." before x's link is followed, where the kernel would not.
            real = RealPath.Resolve(Path.IsPathRooted(path) ? path : Path.Combine(Environment.CurrentDirectory, path));
        }
        catch (IOException)
        {
            return false; // a loop of links
        }
        return _roots.Any(root => real == root || real.StartsWith(root.EndsWith('/') ? root : root + "/", StringComparison.Ordinal));
    }

    /// <summary>Why <paramref name="path"/> (a value of the spec, named by <paramref name="what"/>) may not be read, or null when it may.</summary>
    public string? Refusal(string path, string what) =>
        Allows(path) ? null : $"{what}: {path} is {Outside}";

    /// <summary>
    /// Throws a <see cref="DataException"/> naming the line of the first sample whose image or mask lies outside the
    /// roots; not the path, which is the manifest's content.
    /// </summary>
    public void Check(Manifest manifest)
    {
        if (_roots is null) return;
        foreach (var s in manifest.Samples)
        {
            if (!Allows(s.ImagePath)) throw new DataException($"{manifest.Source}:{s.Line}: the image is {Outside}");
            if (s.MaskPath is not null && !Allows(s.MaskPath)) throw new DataException($"{manifest.Source}:{s.Line}: the mask is {Outside}");
        }
    }

    private string Outside =>
        $"outside the folders this node reads data from ({string.Join(", ", Roots)}); "
        + "the operator allows more with `nachos node --data-root DIR` (NACHOS_DATA_ROOTS)";
}
