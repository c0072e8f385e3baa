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
            var proxy = ProxySelector.Select(fold.Train, manifest.ById, pixels, spec, Seeds.Derive(seed, k, Seeds.Hash("proxy-data")));
            var selected = fold with { Proxy = proxy };
            for (var j = 0; j < fold.Inner.Count; j++)
            {
                var split = selected.SearchSplit(j);
                if (split.Train.Count == 0 || split.Validation.Count == 0)
                    throw new SplitException($"search.proxy.data.fraction {spec.Fraction}: leaves inner split {j} of " +
                                             $"{(k == plan.DeployIndex ? "the deploy fold" : $"outer fold {fold.Name}")} with no " +
                                             $"{(split.Train.Count == 0 ? "training" : "validation")} sample ({proxy.Count} of {fold.Train.Count} selected); raise the fraction");
            }
            return selected;
        }
        return plan with
        {
            Outer = plan.Outer.Select(WithProxy).ToList(),
            Deploy = plan.Deploy is { } deploy ? WithProxy(deploy, plan.DeployIndex) : null,
        };
    }
}
