using Nachos.Training.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nachos.Training.Tests;

/// <summary>
/// The scalar-safe steps against TorchSharp's own optimizers as the reference: the same parameters after every
/// step, bit for bit, and interchangeable saved state. (The finalizer race they avoid crashed the training test
/// twice in six full test runs; no test reproduces it on demand, even with a thread collecting continuously.)
/// </summary>
public sealed class ScalarSafeOptimizerTests
{
    public static TheoryData<string> Kinds => ["adam", "adam-l2", "adamw", "sgd", "sgd-momentum", "sgd-nesterov-l2"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Each_step_gives_exactly_the_parameters_of_TorchSharps_optimizer(string kind)
    {
        var ours = Parameters();
        var reference = Clone(ours);
        using var safe = Create(kind, ours, safe: true);
        using var torchSharp = Create(kind, reference, safe: false);
        for (var step = 0; step < 8; step++)
        {
            Step(safe, ours, step);
            Step(torchSharp, reference, step);
            for (var i = 0; i < ours.Length; i++)
                Assert.True(ours[i].eq(reference[i]).all().item<bool>(), $"{kind}: parameter {i} differs after step {step + 1}");
        }
        Assert.False(ours[0].eq(Parameters()[0]).all().item<bool>(), "the steps moved nothing");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_state_saved_by_TorchSharps_optimizer_resumes_identically(string kind)
    {
        using var dir = new TempDir();
        var reference = Parameters();
        using var torchSharp = Create(kind, reference, safe: false);
        for (var step = 0; step < 3; step++) Step(torchSharp, reference, step);
        var saved = Path.Combine(dir.Path, "optimizer.pt");
        torchSharp.save_state_dict(saved);

        var ours = Clone(reference);
        using var safe = Create(kind, ours, safe: true);
        safe.load_state_dict(saved);
        for (var step = 3; step < 6; step++)
        {
            Step(safe, ours, step);
            Step(torchSharp, reference, step);
        }
        for (var i = 0; i < ours.Length; i++) Assert.True(ours[i].eq(reference[i]).all().item<bool>(), $"{kind}: parameter {i} differs after resuming");
    }

    private static Parameter[] Parameters()
    {
        var generator = new Generator(11);
        return [new Parameter(randn([8, 5], generator: generator)), new Parameter(randn([5], generator: generator))];
    }

    private static Parameter[] Clone(Parameter[] parameters) => parameters.Select(p => new Parameter(p.detach().clone())).ToArray();

    private static OptimizerHelper Create(string kind, Parameter[] parameters, bool safe) => (kind, safe) switch
    {
        ("adam", true) => new Torch.ScalarSafe.Adam(parameters, 0.01, 0),
        ("adam", false) => optim.Adam(parameters, 0.01),
        ("adam-l2", true) => new Torch.ScalarSafe.Adam(parameters, 0.01, 0.05),
        ("adam-l2", false) => optim.Adam(parameters, 0.01, weight_decay: 0.05),
        ("adamw", true) => new Torch.ScalarSafe.AdamW(parameters, 0.01, 0.05),
        ("adamw", false) => optim.AdamW(parameters, 0.01, weight_decay: 0.05),
        ("sgd", true) => new Torch.ScalarSafe.SGD(parameters, 0.05, 0, 0, false),
        ("sgd", false) => optim.SGD(parameters, 0.05),
        ("sgd-momentum", true) => new Torch.ScalarSafe.SGD(parameters, 0.05, 0.9, 0, false),
        ("sgd-momentum", false) => optim.SGD(parameters, 0.05, momentum: 0.9),
        ("sgd-nesterov-l2", true) => new Torch.ScalarSafe.SGD(parameters, 0.05, 0.9, 0.01, true),
        ("sgd-nesterov-l2", false) => optim.SGD(parameters, 0.05, momentum: 0.9, weight_decay: 0.01, nesterov: true),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>A loss whose gradients differ per step and per parameter, the same for both copies.</summary>
    private static void Step(OptimizerHelper optimizer, Parameter[] parameters, int step)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var generator = new Generator((ulong)(100 + step));
        var loss = parameters.Select(p => p.mul(randn(p.shape, generator: generator)).sub(randn(p.shape, generator: generator)).square().sum())
            .Aggregate((a, b) => a.add(b, Scalars.One));
        loss.backward();
        optimizer.step();
    }
}
