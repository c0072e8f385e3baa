using System.Text.Json;
using Nachos.Shared.Files;
using Nachos.Shared.Search;
using Nachos.Shared.Seeding;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Statistics;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Proxy;

/// <summary>
/// <c>nachos proxy-check</c>'s plan and verdict: the same configurations of one outer fold's search evaluated by its inner
/// cross-validation at full size and on the spec's proxy, and how far the two rankings agree (docs/search.md).
/// </summary>
public static class ProxyCheck
{
    public const int BootstrapReplicates = 2000;

    /// <summary>
    /// The first <paramref name="count"/> configurations outer fold <paramref name="outer"/>'s search would propose, without
    /// results to learn from: the fold's own sampler stream (as FoldState.Sampler derives it), drawn at random; a grid
    /// spec keeps its grid order. TPE's later proposals depend on the scores seen, which differ between the two
    /// evaluations, so a fair comparison draws the configurations up front.
    /// </summary>
    public static IReadOnlyList<Hyperparameters> Configurations(SearchSpec search, int seed, int outer, int count)
    {
        var sampler = Samplers.Create(search.Sampler == SamplerKind.Grid ? search : search with { Sampler = SamplerKind.Random },
            Seeds.Derive(seed, 2, outer));
        var configs = new List<Hyperparameters>();
        for (var n = 0; n < count; n++) configs.Add(sampler.Suggest(n, configs, []));
        return configs;
    }

    /// <summary>The inner-split tasks of each configuration, with the ids the study gives them (study/o{k}/t{n}/s{j}).</summary>
    public static IReadOnlyList<TaskSpec> Tasks(string study, OuterFold fold, IReadOnlyList<Hyperparameters> configs, int maxEpochs, int seed) =>
        configs.SelectMany((c, n) => Enumerable.Range(0, fold.Inner.Count).Select(j => TaskSpec.ForSplit(study, fold.Index, n, j, c, maxEpochs, seed)))
            .ToList();

    /// <summary>The plan the full-size evaluation uses: the same splits without a proxy-data selection.</summary>
    public static SplitPlan WithoutProxyData(SplitPlan plan) => plan with
    {
        Outer = plan.Outer.Select(f => f with { Proxy = null }).ToList(),
        Deploy = plan.Deploy is { } d ? d with { Proxy = null } : null,
    };

    /// <summary>A configuration's inner cross-validation (<paramref name="splits"/> in split order): its score (mean over splits) with SE, each split's score and seconds, or why it has none.</summary>
    public static InnerEvaluation Evaluate(IReadOnlyList<TaskOutcome> splits, string metric)
    {
        var seconds = splits.Where(o => o.Succeeded).Sum(o => o.Result!.Seconds);
        if (splits.FirstOrDefault(o => !o.Succeeded) is { } failed) return new InnerEvaluation(null, null, seconds, failed.Failure);
        var scores = splits.Select(o => o.Result!.ValidationScore(metric)).ToList();
        var (summary, undefined) = TrialAggregate.Score(scores, metric);
        return new InnerEvaluation(summary?.Mean, summary?.StandardError, seconds, undefined, scores);
    }

    /// <summary>
    /// The verdict over the configurations scored by both evaluations: ρ and τ-b with percentile bootstrap CIs
    /// (configurations resampled, seeded), the regret of choosing by the proxy (≥ 0; in the metric's units) beside the SE of
    /// the full search's best, and the speed-up in device-seconds of the paired configurations.
    /// </summary>
    public static ProxyCheckVerdict Verdict(IReadOnlyList<ProxyCheckPair> pairs, bool maximise, int seed)
    {
        var scored = pairs.Where(p => p is { Full.Score: not null, Proxy.Score: not null }).ToList();
        var full = scored.Select(p => p.Full.Score!.Value).ToList();
        var proxy = scored.Select(p => p.Proxy.Score!.Value).ToList();
        var bootstrapSeed = Seeds.Derive(seed, Seeds.Hash("proxy-check"));
        var intervals = scored.Count < 2
            ? [null, null]
            : Intervals.BootstrapMeanByGroup<ProxyCheckPair>([scored.Select(p => (IReadOnlyList<ProxyCheckPair>)[p]).ToList()],
                sample => [Rho(sample), Tau(sample)], 2, BootstrapReplicates, bootstrapSeed);
        ProxyCheckPair? Best(Func<ProxyCheckPair, double> score) => scored.OrderBy(p => maximise ? -score(p) : score(p)).ThenBy(p => p.Trial).FirstOrDefault();
        var fullBest = Best(p => p.Full.Score!.Value);
        var proxyChoice = Best(p => p.Proxy.Score!.Value);
        double? regret = fullBest is null ? null : Math.Abs(fullBest.Full.Score!.Value - proxyChoice!.Full.Score!.Value);
        var fullSeconds = scored.Sum(p => p.Full.Seconds);
        var proxySeconds = scored.Sum(p => p.Proxy.Seconds);
        var (fullSplits, proxySplits) = (SplitAgreement(scored.Select(p => p.Full.Splits).ToList()), SplitAgreement(scored.Select(p => p.Proxy.Splits).ToList()));
        return new ProxyCheckVerdict(scored.Count,
            new Correlation(RankCorrelation.Spearman(full, proxy), intervals[0]?.Low, intervals[0]?.High),
            new Correlation(RankCorrelation.KendallTauB(full, proxy), intervals[1]?.Low, intervals[1]?.High),
            fullBest?.Trial, fullBest?.Full.Score, fullBest?.Full.StandardError,
            proxyChoice?.Trial, proxyChoice?.Full.Score, regret,
            regret is { } r && fullBest!.Full.StandardError is { } se ? r <= se : null,
            fullSeconds, proxySeconds, proxySeconds > 0 ? fullSeconds / proxySeconds : null,
            fullSplits?.Rho, proxySplits?.Rho, Attainable(fullSplits, proxySplits));
    }

    /// <summary>
    /// How alike one evaluation's inner splits rank the configurations, from each configuration's split scores (in split
    /// order): the mean over pairs of splits of Spearman's ρ between their scores, with the number of splits; null without two
    /// splits scored for every configuration, or a pair undefined.
    /// </summary>
    public static (double Rho, int Splits)? SplitAgreement(IReadOnlyList<IReadOnlyList<double?>?> configurations)
    {
        if (configurations.Count < 2 || configurations[0] is not { Count: >= 2 } first) return null;
        var count = first.Count;
        if (configurations.Any(c => c is null || c.Count != count || c.Any(x => x is null))) return null;
        var rhos = new List<double>();
        for (var a = 0; a < count; a++)
            for (var b = a + 1; b < count; b++)
            {
                if (RankCorrelation.Spearman(configurations.Select(c => c![a]!.Value).ToList(), configurations.Select(c => c![b]!.Value).ToList()) is not { } rho)
                    return null;
                rhos.Add(rho);
            }
        return (rhos.Average(), count);
    }

    /// <summary>
    /// The ρ a proxy that ranked exactly like the full size would reach in expectation, given how noisy each evaluation's
    /// mean over its J splits is: √(R_full · R_proxy), with R = J·r / (1 + (J − 1)·r) from the split-to-split agreement r
    /// (Spearman–Brown; Spearman's correction for attenuation, applied to rank correlations: an approximation). Null when
    /// either agreement is not positive.
    /// </summary>
    public static double? Attainable((double Rho, int Splits)? full, (double Rho, int Splits)? proxy)
    {
        if (full is not { Rho: > 0 } f || proxy is not { Rho: > 0 } p) return null;
        static double Reliability(double r, int j) => j * r / (1 + (j - 1) * r);
        return Math.Sqrt(Reliability(f.Rho, f.Splits) * Reliability(p.Rho, p.Splits));
    }

    private static double? Rho(IReadOnlyList<ProxyCheckPair> sample) =>
        RankCorrelation.Spearman(sample.Select(p => p.Full.Score!.Value).ToList(), sample.Select(p => p.Proxy.Score!.Value).ToList());

    private static double? Tau(IReadOnlyList<ProxyCheckPair> sample) =>
        RankCorrelation.KendallTauB(sample.Select(p => p.Full.Score!.Value).ToList(), sample.Select(p => p.Proxy.Score!.Value).ToList());
}

/// <summary>A configuration's inner cross-validation in one evaluation; <c>Failure</c> says why it has no score; <c>Splits</c>: each inner split's score, in split order (null in files written before it).</summary>
public sealed record InnerEvaluation(double? Score, double? StandardError, double Seconds, string? Failure, IReadOnlyList<double?>? Splits = null);

/// <summary>One configuration (the fold's trial index) evaluated at full size and on the proxy.</summary>
public sealed record ProxyCheckPair(int Trial, IReadOnlyDictionary<string, string> Config, InnerEvaluation Full, InnerEvaluation Proxy);

/// <summary>A correlation with its bootstrap 95 % interval (null where undefined).</summary>
public sealed record Correlation(double? Value, double? CiLow, double? CiHigh);

/// <summary>
/// What proxy-check found over the <c>Paired</c> configurations scored by both evaluations (see
/// <see cref="ProxyCheck.Verdict"/>).
/// </summary>
public sealed record ProxyCheckVerdict(int Paired, Correlation Spearman, Correlation KendallTauB,
    int? FullBestTrial, double? FullBestScore, double? FullBestStandardError,
    int? ProxyChoiceTrial, double? ProxyChoiceFullScore, double? Regret, bool? RegretWithinStandardError,
    double FullDeviceSeconds, double ProxyDeviceSeconds, double? SpeedUp,
    double? FullSplitSpearman = null, double? ProxySplitSpearman = null, double? AttainableSpearman = null);

/// <summary>proxy-check.json (docs/search.md, "Checking a proxy").</summary>
public sealed record ProxyCheckFile(string Study, string Spec, int OuterFold, string Metric, bool Maximise, string Sampler, int Seed,
    int InnerSplits, int MaxEpochs, ProxyCheckSetting Proxy, int Configurations, int BootstrapReplicates,
    IReadOnlyList<ProxyCheckPair> Pairs, ProxyCheckVerdict Verdict)
{
    public const string FileName = "proxy-check.json";

    public static string PathIn(string dir) => Path.Combine(dir, FileName);

    /// <exception cref="InvalidDataException">Not a proxy-check.json this nachos reads (the message names the file, never its content).</exception>
    public static ProxyCheckFile Read(string path)
    {
        var file = FileJson.Read<ProxyCheckFile>(path, "a proxy check");
        // A file of another kind deserialises with its members missing: null here, whatever the annotations say.
        if (file is not { Study: not null, Metric: not null, Proxy: not null, Pairs: not null, Verdict: { Spearman: not null, KendallTauB: not null } }
            || file.Pairs.Any(p => p is not { Config: not null, Full: not null, Proxy: not null }))
            throw new InvalidDataException($"{path}: not a proxy check written by `nachos proxy-check` (pairs or verdict missing)");
        return file;
    }
}

/// <summary>The proxy compared, as the spec gives it.</summary>
public sealed record ProxyCheckSetting(double? DataFraction, string? DataMethod, double? NetworkWidth, int? NetworkDepth)
{
    public static ProxyCheckSetting Of(ProxySpec proxy) => new(proxy.Data?.Fraction,
        proxy.Data is { } d ? ProxyDataSpec.Methods.First(m => m.Value == d.Method).Key : null, proxy.Network?.Width, proxy.Network?.Depth);

    public string Text() => string.Join("; ", new[]
    {
        DataFraction is { } f ? FormattableString.Invariant($"data {f:P0} by {DataMethod}") : null,
        NetworkWidth is null && NetworkDepth is null ? null
            // What shrinks: the spec's defaults (width 1, depth 0) leave that dimension as it is.
            : "network " + string.Join(", ", new[] { NetworkWidth is { } w and not 1 ? FormattableString.Invariant($"width {w}") : null, NetworkDepth is { } d and not 0 ? $"depth {d}" : null }.OfType<string>()),
    }.OfType<string>());
}
