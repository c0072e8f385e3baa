using System.Globalization;
using Nachos.Shared.Study;

namespace Nachos.Shared.Proxy;

/// <summary>
/// A configuration as the proxy-check page shows it: its rank in each evaluation among the configurations that evaluation
/// scored (1 = best in the search's direction; ties share a rank, as the leaderboard ranks), and whether it is the full
/// search's best or the proxy's choice.
/// </summary>
public sealed record ProxyCheckRow(ProxyCheckPair Pair, int? FullRank, int? ProxyRank, bool FullBest, bool ProxyChoice);

/// <summary>proxy-check.json in words and rows, for the dashboard (docs/search.md, "Checking a proxy").</summary>
public sealed record ProxyCheckSummary(ProxyCheckFile File, IReadOnlyList<ProxyCheckRow> Rows, string Verdict)
{
    /// <summary>Spearman's ρ from which a proxy ranks "like the full size": the bench's target for a proxy worth using (bench/README.md).</summary>
    public const double Strong = 0.8;

    /// <summary>ρ from which it ranks "roughly like the full size".</summary>
    public const double Moderate = 0.5;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static ProxyCheckSummary Of(ProxyCheckFile file)
    {
        var full = Ranks(file, p => p.Full.Score);
        var proxy = Ranks(file, p => p.Proxy.Score);
        var v = file.Verdict;
        var rows = file.Pairs.Select(p => new ProxyCheckRow(p, full[(0, p.Trial)], proxy[(0, p.Trial)], p.Trial == v.FullBestTrial, p.Trial == v.ProxyChoiceTrial))
            .ToList();
        return new ProxyCheckSummary(file, rows, Sentence(file));
    }

    private static IReadOnlyDictionary<(int Outer, int Trial), int?> Ranks(ProxyCheckFile file, Func<ProxyCheckPair, double?> score) =>
        TrialRows.Rank(file.Pairs.Select(p => new TrialRow(0, p.Trial, null, 0, 0, "", score(p), null, null, new Dictionary<string, double?>(), null)),
            TrialRows.Score, file.Maximise);

    /// <summary>How the proxy orders the configurations, from Spearman's ρ and its bootstrap CI.</summary>
    public static string Agreement(Correlation spearman) => spearman switch
    {
        { Value: null } => "in no order that can be compared with the full size's (ρ is undefined)",
        { CiLow: <= 0, CiHigh: >= 0 } => "in an order this check cannot tell from a random one (the CI of ρ includes 0)",
        { Value: >= Strong } => "like the full size",
        { Value: >= Moderate } => "roughly like the full size",
        { Value: > 0 } => "only weakly like the full size",
        _ => "unlike the full size",
    };

    /// <summary>The verdict in one sentence: agreement (ρ and τ-b with their CIs), regret against the full best's SE, speed-up.</summary>
    public static string Sentence(ProxyCheckFile file)
    {
        var v = file.Verdict;
        var proxy = file.Proxy.Text();
        var regret = v.Regret is not { } r ? "no regret can be stated (no configuration was scored by both)"
            : $"choosing by it costs a regret of {Score(r)} in {file.Metric}" + ((v.RegretWithinStandardError, v.FullBestStandardError) switch
            {
                (true, { } se) => $", within the full best's SE of {Score(se)}",
                (false, { } se) => $", more than the full best's SE of {Score(se)}",
                _ => " (the full best has no SE to compare it with)",
            });
        var speed = v.SpeedUp is { } s
            ? $"a speed-up of {s.ToString("0.##", Invariant)}× in device-seconds ({Seconds(v.FullDeviceSeconds)} at full size, {Seconds(v.ProxyDeviceSeconds)} on the proxy)"
            : "no speed-up can be stated (the proxy recorded no device-seconds)";
        return $"On outer fold {file.OuterFold}, the proxy ({(proxy.Length > 0 ? proxy : "as the spec gives it")}) ranks the {v.Paired} configurations scored by both "
               + $"{Agreement(v.Spearman)}: Spearman ρ {Correlation(v.Spearman)}, Kendall τ-b {Correlation(v.KendallTauB)}; {regret}; {speed}."
               + (Noise(v) is { } noise ? " " + noise : "");
    }

    /// <summary>How noisy the rankings themselves are (the splits' agreement, and the ρ that noise leaves attainable); null when the file has no split scores.</summary>
    public static string? Noise(ProxyCheckVerdict v)
    {
        if (v.FullSplitSpearman is not { } full) return null;
        var proxy = v.ProxySplitSpearman is { } p ? $" (the proxy's: {Number(p)})" : "";
        var attainable = v.AttainableSpearman is { } a
            ? $"; at this noise a proxy that ranked exactly like the full size would reach ρ ≈ {Number(a)}"
            : "; at this noise no ρ can be expected from any proxy";
        return $"The full size's own inner splits rank them alike at ρ {Number(full)}{proxy}{attainable}.";
    }

    /// <summary>A correlation with its 95 % CI, as the sentence and the page state it.</summary>
    public static string Correlation(Correlation c) =>
        c.Value is not { } x ? "undefined"
        : Number(x) + (c.CiLow is { } l && c.CiHigh is { } h ? $" (95 % CI {Number(l)} to {Number(h)})" : " (no CI)");

    private static string Number(double x) => x.ToString("0.###", Invariant);

    public static string Score(double x) => x.ToString("0.####", Invariant);

    public static string Seconds(double s) => s.ToString("0.#", Invariant) + " s";
}
