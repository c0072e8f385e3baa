using TorchSharp;
using static TorchSharp.torch;

namespace Nachos.Training.Tests;

/// <summary>
/// The scalar-safe BatchNorm2d against TorchSharp's own as the reference: the same outputs and running statistics, bit for
/// bit, in training and evaluation, and state dicts that load both ways (models saved before it existed stay loadable).
/// </summary>
public sealed class ScalarSafeBatchNormTests
{
    [Fact]
    public void Training_and_evaluation_give_exactly_TorchSharps_outputs_and_statistics()
    {
        using var ours = new Torch.ScalarSafe.BatchNorm2d(3);
        using var reference = nn.BatchNorm2d(3);
        var generator = new Generator(5);
        ours.train();
        reference.train();
        for (var step = 0; step < 6; step++)
        {
            using var x = randn([4, 3, 5, 6], generator: generator) * (step + 1) + step;
            using var a = ours.forward(x);
            using var b = reference.forward(x);
            Assert.True(a.eq(b).all().item<bool>(), $"training output differs at step {step + 1}");
        }
        AssertSameState(ours, reference);
        Assert.Equal(6L, ours.num_batches_tracked!.item<long>());
        Assert.False(ours.running_mean!.eq(zeros(3)).all().item<bool>(), "the running mean did not move");
        ours.eval();
        reference.eval();
        using var y = randn([2, 3, 5, 6], generator: generator);
        using var ya = ours.forward(y);
        using var yb = reference.forward(y);
        Assert.True(ya.eq(yb).all().item<bool>(), "evaluation output differs");
        AssertSameState(ours, reference);
        Assert.Throws<ArgumentException>(() => ours.forward(zeros(3, 5, 6)));
    }

    [Fact]
    public void State_saved_by_either_loads_into_the_other()
    {
        using var dir = new TempDir();
        using var reference = nn.BatchNorm2d(2);
        reference.train();
        using (var x = randn([3, 2, 4, 4], generator: new Generator(9))) reference.forward(x).Dispose();
        var saved = Path.Combine(dir.Path, "bn.pt");
        reference.save(saved);
        using var ours = new Torch.ScalarSafe.BatchNorm2d(2);
        ours.load(saved);
        AssertSameState(ours, reference);
        var again = Path.Combine(dir.Path, "ours.pt");
        ours.save(again);
        using var back = nn.BatchNorm2d(2);
        back.load(again);
        AssertSameState(ours, back);
    }

    private static void AssertSameState(nn.Module a, nn.Module b)
    {
        var sa = a.state_dict();
        var sb = b.state_dict();
        Assert.Equal(sb.Keys.Order(), sa.Keys.Order());
        foreach (var key in sb.Keys) Assert.True(sa[key].eq(sb[key]).all().item<bool>(), $"{key} differs");
    }
}
