using System.Text.RegularExpressions;

namespace Nachos.Host.Dashboard;

/// <summary>
/// One trained model of a study, named by its task folder: inner split <c>Split</c> of trial <c>Trial</c>
/// in outer fold <c>Outer</c> (<c>o{k}/t{n}/s{j}</c>), or the outer fold's refit (<c>o{k}/refit</c>).
/// </summary>
public sealed partial record ModelKey(int Outer, int? Trial, int? Split)
{
    public static ModelKey Refit(int outer) => new(outer, null, null);

    public static ModelKey InnerSplit(int outer, int trial, int split) => new(outer, trial, split);

    public bool IsRefit => Trial is null;

    /// <summary>The task folder below the run directory, with '/' separators.</summary>
    public string Path => IsRefit ? $"o{Outer}/refit" : $"o{Outer}/t{Trial}/s{Split}";

    /// <summary>An HTML id: letters, digits and dashes only.</summary>
    public string Anchor => "model-" + Path.Replace('/', '-');

    public string Title => IsRefit ? $"outer fold {Outer} · refit" : $"outer fold {Outer} · trial {Trial} · inner split {Split}";

    /// <summary>The key of a task folder path (as <see cref="Path"/> gives it), or null when it names none.</summary>
    public static ModelKey? Parse(string path)
    {
        var m = PathPattern().Match(path);
        if (!m.Success) return null;
        var outer = int.Parse(m.Groups[1].Value);
        return m.Groups[2].Success ? InnerSplit(outer, int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value)) : Refit(outer);
    }

    /// <summary>Fold, then trials in order with their splits, then the fold's refit.</summary>
    public static int Compare(ModelKey a, ModelKey b) =>
        a.Outer != b.Outer ? a.Outer.CompareTo(b.Outer)
        : a.IsRefit != b.IsRefit ? a.IsRefit.CompareTo(b.IsRefit)
        : a.Trial != b.Trial ? Nullable.Compare(a.Trial, b.Trial)
        : Nullable.Compare(a.Split, b.Split);

    [GeneratedRegex(@"^o(\d+)/(?:t(\d+)/s(\d+)|refit)$")]
    private static partial Regex PathPattern();
}
