using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Nachos.EndToEnd.Tests;

/// <summary>What the dashboard tests expect, read straight from a run directory's files (not through the dashboard's code).</summary>
internal static partial class StudyFiles
{
    public sealed record Row(string SampleId, string Set, string Truth, double PNormal, double PLesion);

    /// <summary>Rows of a binary normal/lesion predictions.csv (the synthetic ids hold no commas).</summary>
    public static IReadOnlyList<Row> Predictions(string runDir, string task)
    {
        var lines = File.ReadAllLines(Path.Combine(runDir, task, "predictions.csv"));
        Assert.Equal("sample_id,set,true,p_normal,p_lesion,predicted", lines[0]);
        return lines.Skip(1).Select(l => l.Split(',')).Select(f => new Row(f[0], f[1], f[2], double.Parse(f[3], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture))).ToList();
    }

    /// <summary>[[TN, FP], [FN, TP]] at p ≥ 0.5.</summary>
    public static int[][] Confusion(IEnumerable<Row> rows)
    {
        var m = new[] { new int[2], new int[2] };
        foreach (var r in rows) m[r.Truth == "lesion" ? 1 : 0][r.PLesion >= 0.5 ? 1 : 0]++;
        return m;
    }

    /// <summary>1 − p(true class).</summary>
    public static double Error(Row r) => 1 - (r.Truth == "lesion" ? r.PLesion : r.PNormal);

    public static JsonDocument Report(string runDir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "report.json")));

    /// <summary>Task folders holding predictions, as o{k}/t{n}/s{j} or o{k}/refit.</summary>
    public static IReadOnlyList<string> Models(string runDir) =>
        Directory.EnumerateFiles(runDir, "predictions.csv", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(runDir, Path.GetDirectoryName(f)!).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();

    /// <summary>The element of <paramref name="html"/> with the given id, from its start tag to the first closing tag of its name.</summary>
    public static string Element(string html, string tag, string id)
    {
        var m = Regex.Match(html, $"<{tag}[^>]*\\bid=\"{Regex.Escape(id)}\".*?</{tag}>", RegexOptions.Singleline);
        Assert.True(m.Success, $"no <{tag} id=\"{id}\">");
        return m.Value;
    }

    /// <summary>The values of every <paramref name="name"/> attribute, decoded as a browser reads them (the renderer encodes ' and + too).</summary>
    public static IEnumerable<string> Attribute(string html, string name) =>
        Regex.Matches(html, $"\\b{Regex.Escape(name)}=\"([^\"]*)\"").Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value));

    public static double Number(string value) => double.Parse(value, CultureInfo.InvariantCulture);
}
