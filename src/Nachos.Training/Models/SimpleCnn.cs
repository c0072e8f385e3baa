using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Nachos.Training.Models;

/// <summary>
/// Four conv–BN–ReLU–pool blocks (fewer for a proxy network: the first <c>blocks</c>, at least one), global average
/// pooling and a linear head. Widths scale with <c>width</c>.
/// </summary>
public sealed class SimpleCnn : Module<Tensor, Tensor>
{
    public const int Blocks = 4;

    private readonly Sequential features;
    private readonly Linear head;

    public SimpleCnn(int inChannels, int outputs, double width, int blocks = Blocks) : base(nameof(SimpleCnn))
    {
        int[] widths = [.. new[] { 16, 32, 64, 64 }.Take(Math.Clamp(blocks, 1, Blocks)).Select(c => Math.Max(4, (int)Math.Round(c * width)))];
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        var prev = inChannels;
        for (var i = 0; i < widths.Length; i++)
        {
            layers.Add(($"conv{i}", Conv2d(prev, widths[i], 3, padding: 1, bias: false)));
            layers.Add(($"bn{i}", BatchNorm2d(widths[i])));
            layers.Add(($"relu{i}", ReLU()));
            layers.Add(($"pool{i}", i < widths.Length - 1 ? MaxPool2d(2) : AdaptiveAvgPool2d(1)));
            prev = widths[i];
        }
        features = Sequential(layers);
        head = Linear(prev, outputs);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => head.forward(features.forward(x).flatten(1));
}
