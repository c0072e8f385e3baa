using Nachos.Shared.Data;
using Nachos.Shared.Seeding;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;

namespace Nachos.Shared.Proxy;

/// <summary>Adds each fold's proxy-data selection to a split plan, before the plan is written and frozen.</summary>
public static class ProxyData
{
    /// <param name="pixels">A sample's decoded image; only outer-train samples of each fold are asked for.</param>
    /// <exception cref="SplitException">The fraction leaves an inner split of some fold without training or validation samples.</exception>
    public static SplitPlan Apply(SplitPlan plan, Manifest manifest, Func<string, float[]> pixels, ProxyDataSpec spec, int seed)
    {
        OuterFold WithProxy(OuterFold fold, int k)
        {
            var validatedIn = new Dictionary<string, int>();
            for (var j = fold.Inner.Count - 1; j >= 0; j--)
                foreach (var id in fold.Inner[j].Validation) validatedIn[id] = j;
            var proxy = ProxySelector.Select(fold.Train, manifest.ById, pixels, spec, Seeds.Derive(seed, k, Seeds.Hash("proxy-data")),
                id => validatedIn.GetValueOrDefault(id, -1));
            var selected = fold with { Proxy = proxy };
            for (var j = 0; j < fold.Inner.Count; j++)
                if (Shortfall(manifest, fold.Inner[j], selected.SearchSplit(j)) is { } missing)
                    throw new SplitException($"search.proxy.data.fraction {spec.Fraction}: leaves inner split {j} of " +
                                             $"{(k == plan.DeployIndex ? "the deploy fold" : $"outer fold {fold.Name}")} with {missing} " +
                                             $"({proxy.Count} of {fold.Train.Count} samples selected); raise the fraction");
            return selected;
        }
        return plan with
        {
            Outer = plan.Outer.Select(WithProxy).ToList(),
            Deploy = plan.Deploy is { } deploy ? WithProxy(deploy, plan.DeployIndex) : null,
        };
    }

    /// <summary>
    /// What the proxied split lacks that the search needs: training or validation samples, or (single-label tasks) a class
    /// the full split has on that side, without which its validation metric is undefined.
    /// </summary>
    private static string? Shortfall(Manifest manifest, Split full, Split proxied)
    {
        if (proxied.Train.Count == 0) return "no training sample";
        if (proxied.Validation.Count == 0) return "no validation sample";
        if (manifest.Samples.Any(s => s.Labels.Count != 1)) return null;
        foreach (var (side, all, kept) in new[] { ("training", full.Train, proxied.Train), ("validation", full.Validation, proxied.Validation) })
        {
            var classes = kept.Select(id => manifest.ById[id].Labels[0]).ToHashSet();
            if (all.Select(id => manifest.ById[id].Labels[0]).Distinct().Order().FirstOrDefault(c => !classes.Contains(c), -1) is var c and >= 0)
                return $"no {side} sample of class '{manifest.Classes[c]}'";
        }
        return null;
    }
}
