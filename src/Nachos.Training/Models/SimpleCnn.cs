using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using BatchNorm2d = Nachos.Training.Torch.ScalarSafe.BatchNorm2d;

namespace Nachos.Training.Models;

/// <summary>
/// Four conv–BN–ReLU–pool blocks (fewer for a proxy network: the first <c>blocks</c>, at least one), global average
/// pooling and a linear head. Widths scale with <c>width</c>.
/// </summary>
public sealed class SimpleCnn : Module<Tensor, Tensor>, IConvClassifier
{
    public const int Blocks = 4;

    private readonly Sequential features;
    private readonly AdaptiveAvgPool2d pool;
    private readonly Linear head;

    public SimpleCnn(int inChannels, int outputs, double width, int blocks = Blocks) : base(nameof(SimpleCnn))
    {
        int[] widths = [.. new[] { 16, 32, 64, 64 }.Take(Math.Clamp(blocks, 1, Blocks)).Select(c => Math.Max(4, (int)Math.Round(c * width)))];
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        var prev = inChannels;
        for (var i = 0; i < widths.Length; i++)
        {
            layers.Add(($"conv{i}", Conv2d(prev, widths[i], 3, padding: 1, bias: false)));
            layers.Add(($"bn{i}", new BatchNorm2d(widths[i])));
            layers.Add(($"relu{i}", ReLU()));
            if (i < widths.Length - 1) layers.Add(($"pool{i}", MaxPool2d(2)));
            prev = widths[i];
        }
        features = Sequential(layers);
        pool = AdaptiveAvgPool2d(1); // parameterless, so the state dict's names are as when it ended the sequence
        head = Linear(prev, outputs);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => head.forward(pool.forward(features.forward(x)).flatten(1));

    public Tensor LastConvActivation(Tensor input) => features.forward(input);

    public Tensor Classify(Tensor activation)
    {
        using var penultimate = Penultimate(activation);
        return head.forward(penultimate);
    }

    public Tensor Penultimate(Tensor activation)
    {
        using var pooled = pool.forward(activation);
        return pooled.flatten(1);
    }
}
