using Nachos.Shared.Spec;

namespace Nachos.Shared.SpecLoading;

public static partial class SpecLoader
{
    /// <summary><c>search.proxy</c>: null when absent.</summary>
    private static ProxySpec? ReadProxy(YamlSection s, int trials)
    {
        if (!s.Exists) return null;
        var dataSection = s.Child("data");
        var networkSection = s.Child("network");
        if (!dataSection.Exists && !networkSection.Exists) s.Error("", "give data, network or both (or remove search.proxy)");
        var data = ReadProxyData(dataSection);
        var network = ReadProxyNetwork(networkSection);
        var topK = s.Int("top_k", 0, 0);
        if (topK > trials) s.Error("top_k", $"must be at most search.trials ({trials}): the full-size stage re-evaluates the proxy stage's best configurations");
        s.Finish();
        return new ProxySpec(data, network, topK);
    }

    private static ProxyDataSpec? ReadProxyData(YamlSection s)
    {
        if (!s.Exists) return null;
        if (!s.Has("fraction")) s.Error("fraction", "is required (the share of each outer-train set the inner search uses, e.g. 0.3)");
        if (!s.Has("method")) s.Error("method", $"is required; one of: {string.Join(", ", ProxyDataSpec.Methods.Keys)}");
        var spec = new ProxyDataSpec(
            s.Double("fraction", 1, 0, 1, exclusiveMin: true, exclusiveMax: true),
            s.Choice("method", ProxyMethod.Random, ProxyDataSpec.Methods));
        s.Finish();
        return spec;
    }

    private static ProxyNetworkSpec? ReadProxyNetwork(YamlSection s)
    {
        if (!s.Exists) return null;
        var errors = s.ErrorCount;
        var spec = new ProxyNetworkSpec(s.Double("width", 1, 0, 1, exclusiveMin: true), s.Int("depth", 0, ProxyNetworkSpec.MinDepth, 0));
        if (s.ErrorCount == errors && spec is { Width: 1, Depth: 0 })
            s.Error("", "width 1 and depth 0 train the full model; give width < 1 and/or depth < 0");
        s.Finish();
        return spec;
    }
}
