namespace Nachos.Host.Cli;

/// <summary>The known word nearest to a mistyped one (edit distance), for a one-line "did you mean" hint.</summary>
public static class ClosestWord
{
    /// <returns>The candidate with the fewest edits (ties: the first), or null when even that one needs more edits than half the word's length.</returns>
    public static string? Of(string word, IEnumerable<string> candidates)
    {
        var best = candidates.Select(c => (Word: c, Distance: Distance(word.ToLowerInvariant(), c))).OrderBy(c => c.Distance).FirstOrDefault();
        return best.Word is not null && best.Distance <= Math.Max(1, word.Length / 2) ? best.Word : null;
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
