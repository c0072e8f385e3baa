using Nachos.Shared.Spec;
using Nachos.Training.Models;
using Nachos.Training.Torch;
using static TorchSharp.torch;

namespace Nachos.Training.Tests;

public sealed class ConvolutionGradientTests
{
    private const int N = 8, C = 8, O = 2, H = 32;

    /// <summary>
    /// oneDNN's backward-data kernel in libtorch-cpu 2.10.0 gave wrong or NaN input gradients for most calls
    /// when the output channels (2 here; 8 in a quarter-width SimpleCnn) are not a multiple of 16
    /// (docs/platform.md). Creating a model must leave libtorch on kernels that get them right.
    /// </summary>
    [Fact]
    public void After_a_model_is_created_the_input_gradient_of_a_3x3_conv_matches_a_managed_reference()
    {
        using (ModelFactory.Create(new ModelSpec(Architecture.SimpleCnn, 0.25, null), new ImageSpec(32, 32, 1), 2, 1)) { }
        Assert.False(CpuConvolutions.OneDnnEnabled(), "creating a model should switch libtorch's oneDNN convolutions off");
        using var g = new Generator(1);
        using var x0 = randn(N, C, H, H, generator: g);
        using var r = randn(N, O, H, H, generator: g);
        using var w = randn(O, C, 3, 3, generator: g);
        var expected = InputGradient(r.data<float>().ToArray(), w.data<float>().ToArray());

        var wrongSteps = new List<string>();
        for (var step = 0; step < 40; step++)
        {
            using var x = x0.detach().requires_grad_();
            using var y = nn.functional.conv2d(x, w, padding: [1, 1]);
            using var p = y.mul(r);
            using var l = p.sum();
            l.backward();
            using var grad = x.grad!;
            var got = grad.data<float>().ToArray();
            var bad = got.Where((v, i) => !(Math.Abs(v - expected[i]) <= 1e-4)).Count();
            if (bad > 0) wrongSteps.Add($"step {step}: {bad} of {got.Length} wrong");
        }
        Assert.True(wrongSteps.Count == 0, string.Join("; ", wrongSteps));
    }

    /// <summary>dL/dx for L = Σ conv2d(x, w, padding 1) ⊙ r: the full correlation of r with w, summed in double.</summary>
    private static float[] InputGradient(float[] r, float[] w)
    {
        var gx = new float[N * C * H * H];
        for (var n = 0; n < N; n++)
        for (var c = 0; c < C; c++)
        for (var i = 0; i < H; i++)
        for (var j = 0; j < H; j++)
        {
            var s = 0.0;
            for (var o = 0; o < O; o++)
            for (var ki = 0; ki < 3; ki++)
            for (var kj = 0; kj < 3; kj++)
            {
                int yi = i - ki + 1, yj = j - kj + 1;
                if (yi < 0 || yi >= H || yj < 0 || yj >= H) continue;
                s += (double)r[((n * O + o) * H + yi) * H + yj] * w[((o * C + c) * 3 + ki) * 3 + kj];
            }
            gx[((n * C + c) * H + i) * H + j] = (float)s;
        }
        return gx;
    }
}
