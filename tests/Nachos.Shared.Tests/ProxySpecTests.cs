using Nachos.Shared.Proxy;
using Nachos.Shared.Spec;
using Nachos.Shared.SpecLoading;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

/// <summary><c>search.proxy</c>: its keys, their errors, and which tasks train the proxy network.</summary>
public sealed class ProxySpecTests : IDisposable
{
    private readonly TempDir _dir = new();

    public ProxySpecTests() => _dir.Write("data.csv", "image,label,patient\na.png,neg,p1\nb.png,pos,p2\n");

    public void Dispose() => _dir.Dispose();

    private static string Spec(string proxy, string model = "{ architecture: resnet18, width: 0.5 }") => $"""
        name: t1
        task: binary
        dataset: {"{"} manifest: data.csv, classes: [neg, pos], group_column: patient {"}"}
        model: {model}
        search:
          proxy: {proxy}
        """;

    private StudySpec Load(string yaml) => SpecLoader.LoadFile(_dir.Write("spec.yaml", yaml));

    private SpecError Error(string yaml) =>
        Assert.Single(Assert.Throws<SpecException>(() => SpecLoader.LoadFile(_dir.Write("spec.yaml", yaml))).Errors);

    [Fact]
    public void Data_and_network_are_read_and_a_spec_without_proxy_has_none()
    {
        var spec = Load(Spec("{ data: { fraction: 0.3, method: mutual-information }, network: { width: 0.5, depth: -1 } }"));
        Assert.Equal(new ProxyDataSpec(0.3, ProxyMethod.MutualInformation), spec.Search.Proxy!.Data);
        Assert.Equal(new ProxyNetworkSpec(0.5, -1), spec.Search.Proxy.Network);
        Assert.Equal(ProxyMethod.Ncc, Load(Spec("{ data: { fraction: 0.5, method: ncc } }")).Search.Proxy!.Data!.Method);
        Assert.Null(Load(Spec("{ data: { fraction: 0.5, method: entropy } }")).Search.Proxy!.Network);
        Assert.Equal(new ProxyNetworkSpec(1, -2), Load(Spec("{ network: { depth: -2 } }")).Search.Proxy!.Network);
        Assert.Null(Load(Spec("")).Search.Proxy);
    }

    [Theory]
    [InlineData("{ data: { fraction: 1.0, method: ncc } }", "search.proxy.data.fraction", "must be > 0 and < 1, got 1.0")]
    [InlineData("{ data: { fraction: 0, method: ncc } }", "search.proxy.data.fraction", "must be > 0 and < 1, got 0")]
    [InlineData("{ data: { fraction: lots, method: ncc } }", "search.proxy.data.fraction", "expected a number, got 'lots'")]
    [InlineData("{ data: { method: ncc } }", "search.proxy.data.fraction", "is required")]
    [InlineData("{ data: { fraction: 0.3 } }", "search.proxy.data.method", "is required; one of: mutual-information, ncc, entropy, random")]
    [InlineData("{ data: { fraction: 0.3, method: ssim } }", "search.proxy.data.method", "unknown value 'ssim'; expected one of: mutual-information, ncc, entropy, random")]
    [InlineData("{ data: { fraction: 0.3, method: ncc, seed: 4 } }", "search.proxy.data.seed", "unknown key")]
    [InlineData("{ network: { width: 1.5 } }", "search.proxy.network.width", "must be > 0 and <= 1, got 1.5")]
    [InlineData("{ network: { width: 0 } }", "search.proxy.network.width", "must be > 0 and <= 1, got 0")]
    [InlineData("{ network: { depth: 1 } }", "search.proxy.network.depth", "must be")]
    [InlineData("{ network: { depth: -0.5 } }", "search.proxy.network.depth", "expected an integer, got '-0.5'")]
    [InlineData("{ network: { width: 1, depth: 0 } }", "search.proxy.network", "train the full model")]
    [InlineData("{ }", "search.proxy", "give data, network or both")]
    [InlineData("{ network: { width: 0.5 }, samples: 0.3 }", "search.proxy.samples", "unknown key")]
    public void A_bad_proxy_setting_is_named_by_its_key(string proxy, string path, string message)
    {
        var e = Error(Spec(proxy));
        Assert.Equal(path, e.Path);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_proxy_network_cannot_start_from_the_full_models_initial_weights()
    {
        _dir.Write("w.pt", "weights");
        var e = Error(Spec("{ network: { width: 0.5 } }", "{ architecture: resnet18, initial_weights: w.pt }"));
        Assert.Equal("search.proxy.network", e.Path);
        Assert.Contains("initial_weights", e.Message);
    }

    [Fact]
    public void Only_a_trials_inner_split_trains_the_proxy_network()
    {
        var spec = Load(Spec("{ network: { width: 0.5, depth: -1 } }"));
        var config = Hyperparameters.Empty.With("width", 0.8);
        var (inner, _) = TaskModel.Of(spec, config, "t1/o2/t3/s1");
        Assert.Equal(0.4, inner.Width, 12);
        Assert.Equal(1, inner.Shallower);
        foreach (var full in new[] { "t1/o2/refit", "t1/o2/s1", "t1/o2/train" })
            Assert.Equal(spec.Model with { Width = 0.8 }, TaskModel.Of(spec, config, full).Model);
        var unet = new ProxyNetworkSpec(0.25, -2).Apply(new ModelSpec(Architecture.UNet, 1, null, 4));
        Assert.Equal((0.25, 2, 0), (unet.Width, unet.Depth, unet.Shallower));
        Assert.Equal(1, new ProxyNetworkSpec(1, -5).Apply(new ModelSpec(Architecture.UNet, 1, null, 3)).Depth);
    }
}
