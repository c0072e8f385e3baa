namespace Nachos.Shared.Spec;

/// <summary>
/// The spec's <c>search.proxy</c>: what the inner search of each fold trains on instead of the full problem. The refit
/// and the outer test stay full size. With <c>TopK</c> the search has two stages: the proxy search's best <c>TopK</c>
/// configurations are evaluated again at full size (trials <c>search.trials</c> onwards), and the choice is made among those.
/// </summary>
public sealed record ProxySpec(ProxyDataSpec? Data, ProxyNetworkSpec? Network,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    int TopK = 0);

/// <summary>
/// <c>search.proxy.data</c>: the inner search uses <c>Fraction</c> of each fold's outer-train set, whole patients, in
/// proportion per class, ranked by <c>Method</c> (see Proxy/ProxySelector).
/// </summary>
public sealed record ProxyDataSpec(double Fraction, ProxyMethod Method)
{
    public static readonly IReadOnlyDictionary<string, ProxyMethod> Methods = new Dictionary<string, ProxyMethod>
    {
        ["mutual-information"] = ProxyMethod.MutualInformation, ["ncc"] = ProxyMethod.Ncc, ["entropy"] = ProxyMethod.Entropy,
        ["random"] = ProxyMethod.Random,
    };
}

public enum ProxyMethod { MutualInformation, Ncc, Entropy, Random }

/// <summary>
/// <c>search.proxy.network</c>: the inner search trains the spec's architecture with its width multiplied by <c>Width</c>
/// and <c>-Depth</c> levels (UNet), blocks per stage (ResNet) or conv blocks (SimpleCnn) removed, at least one kept.
/// </summary>
public sealed record ProxyNetworkSpec(double Width, int Depth)
{
    public const int MinDepth = -5;

    /// <summary>The model an inner task trains: <paramref name="model"/> narrower and shallower.</summary>
    public ModelSpec Apply(ModelSpec model) => model.Architecture == Architecture.UNet
        ? model with { Width = model.Width * Width, Depth = Math.Max(1, model.Depth + Depth) }
        : model with { Width = model.Width * Width, Shallower = model.Shallower - Depth };
}
