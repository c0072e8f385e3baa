using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Nachos.Shared.Tests;

/// <summary>
/// No namespace of the project's own code imports a namespace that imports it back (read from the sources' `using`
/// lines). <see cref="Remaining"/> would list known exceptions (none are left); the test fails on any other pair, and
/// on a listed one that has gone (so the list only shrinks).
/// </summary>
public sealed partial class NamespaceCycleTests
{
    private static readonly HashSet<(string, string)> Remaining = [];

    [Fact]
    public void No_namespace_imports_one_that_imports_it_back()
    {
        var imports = new Dictionary<string, HashSet<string>>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), "src"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")) continue;
            var text = File.ReadAllText(file);
            if (NamespaceLine().Match(text) is not { Success: true } ns) continue;
            var own = ns.Groups[1].Value;
            foreach (Match u in UsingLine().Matches(text))
                if (u.Groups[1].Value != own)
                    (imports.TryGetValue(own, out var set) ? set : imports[own] = []).Add(u.Groups[1].Value);
        }
        Assert.True(imports.Count > 20, $"only {imports.Count} namespaces found: is the source tree where the test looks?");

        var cycles = imports.SelectMany(a => a.Value.Where(b => string.CompareOrdinal(a.Key, b) < 0 && imports.GetValueOrDefault(b)?.Contains(a.Key) == true)
            .Select(b => (a.Key, b))).ToHashSet();
        Assert.Empty(cycles.Except(Remaining).Select(c => $"{c.Item1} <-> {c.Item2}"));
        Assert.Empty(Remaining.Except(cycles).Select(c => $"{c.Item1} <-> {c.Item2} is gone: remove it from Remaining"));
    }

    private static string RepositoryRoot([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", ".."));

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"^using\s+(Nachos[\w.]*)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingLine();
}
