using Nachos.Shared.Spec;
using Nachos.Training.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Nachos.Training.Models;

/// <summary>Builds a model from the spec and initialises it from an explicit generator, so a seed fully determines it.</summary>
public static class ModelFactory
{
    /// <param name="seed">The initial weights' seed; null leaves the network as constructed, for weights loaded into it next
    /// (a bundle's): drawing them costs far more than building the network (about 20 ms of a SimpleCnn's 21).</param>
    public static Module<Tensor, Tensor> Create(ModelSpec spec, ImageSpec image, int outputs, int? seed)
    {
        CpuConvolutions.UseAtenKernels();
        Module<Tensor, Tensor> model = spec.Architecture switch
        {
            Architecture.SimpleCnn => new SimpleCnn(image.Channels, outputs, spec.Width, SimpleCnn.Blocks - spec.Shallower),
            Architecture.ResNet18 => new ResNet(18, image.Channels, outputs, spec.Width, Math.Min(image.Height, image.Width), spec.Shallower),
            Architecture.ResNet34 => new ResNet(34, image.Channels, outputs, spec.Width, Math.Min(image.Height, image.Width), spec.Shallower),
            Architecture.ResNet50 => new ResNet(50, image.Channels, outputs, spec.Width, Math.Min(image.Height, image.Width), spec.Shallower),
            _ => throw new ArgumentOutOfRangeException(nameof(spec)),
        };
        if (seed is { } value) Initialise(model, value);
        if (spec.InitialWeights is not null)
        {
            try
            {
                model.load(spec.InitialWeights, strict: true);
            }
            catch (Exception e)
            {
                throw new InvalidDataException($"{spec.InitialWeights}: cannot load initial weights into {spec.Architecture} (width {spec.Width}): {e.Message}", e);
            }
        }
        return model;
    }

    /// <summary>
    /// A <see cref="UNet"/> for segmentation (not yet reachable from the spec): <paramref name="classes"/> logit maps
    /// (1 for binary), <paramref name="levels"/> resolutions, base width 32 × <paramref name="width"/>. The image size
    /// is checked against the levels here, before any training starts.
    /// </summary>
    /// <param name="seed">As <see cref="Create"/>'s.</param>
    public static UNet CreateUNet(ImageSpec image, int classes, int levels, double width, bool residual, int? seed)
    {
        UNet.CheckInputSize(levels, image.Height, image.Width);
        CpuConvolutions.UseAtenKernels();
        var model = new UNet(image.Channels, classes, levels, width, residual);
        if (seed is { } value) Initialise(model, value);
        return model;
    }

    /// <summary>
    /// PyTorch's default scheme (uniform ±1/√fan_in for conv and linear weights and biases; batch norm at
    /// 1 and 0), drawn from a generator of our own instead of the process-global one.
    /// </summary>
    private static void Initialise(Module model, int seed)
    {
        using var generator = new Generator((ulong)seed);
        using var _ = no_grad();
        foreach (var m in model.modules())
        {
            var (weight, bias) = m switch
            {
                Conv2d c => (c.weight, c.bias),
                ConvTranspose2d t => (t.weight, t.bias), // PyTorch's fan-in is also weight.size(1) · k²
                Linear l => (l.weight, l.bias),
                _ => (null, null),
            };
            if (weight is null) continue;
            var fanIn = weight.shape.Skip(1).Aggregate(1L, (a, d) => a * d);
            var bound = 1.0 / Math.Sqrt(fanIn);
            foreach (var p in new[] { weight, bias })
            {
                if (p is null) continue;
                using var r = rand(p.shape, generator: generator);
                p.copy_(r * (2 * bound) - bound);
            }
        }
    }
}
