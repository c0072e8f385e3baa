using Nachos.Training.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using BatchNorm2d = Nachos.Training.Torch.ScalarSafe.BatchNorm2d;

namespace Nachos.Training.Models;

/// <summary>
/// ResNet-18/34 (basic blocks) and ResNet-50 (bottlenecks), base width 64 × <c>width</c>. Inputs under 96 px
/// get a 3×3 stride-1 stem without max-pooling (as for CIFAR-sized images); larger ones the ImageNet stem. A proxy
/// network removes <c>shallower</c> blocks from each stage, keeping at least one.
/// </summary>
public sealed class ResNet : Module<Tensor, Tensor>, IConvClassifier
{
    private readonly Sequential stem;
    private readonly Sequential stages;
    private readonly Linear head;

    public ResNet(int depth, int inChannels, int outputs, double width, int inputSize, int shallower = 0) : base($"ResNet{depth}")
    {
        var (bottleneck, counts) = depth switch
        {
            18 => (false, new[] { 2, 2, 2, 2 }),
            34 => (false, new[] { 3, 4, 6, 3 }),
            50 => (true, new[] { 3, 4, 6, 3 }),
            _ => throw new ArgumentException($"unsupported ResNet depth {depth}"),
        };
        int W(int c) => Math.Max(4, (int)Math.Round(c * width));
        var baseWidth = W(64);
        stem = inputSize < 96
            ? Sequential(("conv", Conv2d(inChannels, baseWidth, 3, padding: 1, bias: false)), ("bn", new BatchNorm2d(baseWidth)), ("relu", ReLU()))
            : Sequential(("conv", Conv2d(inChannels, baseWidth, 7, stride: 2, padding: 3, bias: false)), ("bn", new BatchNorm2d(baseWidth)),
                ("relu", ReLU()), ("pool", MaxPool2d(3, stride: 2, padding: 1)));
        var blocks = new List<(string, Module<Tensor, Tensor>)>();
        var prev = baseWidth;
        for (var s = 0; s < 4; s++)
        {
            var planes = W(64 << s);
            for (var b = 0; b < Math.Max(1, counts[s] - shallower); b++)
            {
                var stride = s > 0 && b == 0 ? 2 : 1;
                Module<Tensor, Tensor> block = bottleneck ? new Bottleneck(prev, planes, stride) : new BasicBlock(prev, planes, stride);
                blocks.Add(($"s{s}b{b}", block));
                prev = bottleneck ? planes * 4 : planes;
            }
        }
        stages = Sequential(blocks);
        head = Linear(prev, outputs);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var features = stages.forward(stem.forward(x));
        return head.forward(functional.adaptive_avg_pool2d(features, 1).flatten(1));
    }

    public Tensor LastConvActivation(Tensor input)
    {
        using var stemmed = stem.forward(input);
        return stages.forward(stemmed);
    }

    public Tensor Classify(Tensor activation)
    {
        using var penultimate = Penultimate(activation);
        return head.forward(penultimate);
    }

    public Tensor Penultimate(Tensor activation)
    {
        using var pooled = functional.adaptive_avg_pool2d(activation, 1);
        return pooled.flatten(1);
    }

    private static Sequential? Shortcut(int inC, int outC, int stride) =>
        stride != 1 || inC != outC ? Sequential(("conv", Conv2d(inC, outC, 1, stride: stride, bias: false)), ("bn", new BatchNorm2d(outC))) : null;

    private sealed class BasicBlock : Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1, conv2;
        private readonly BatchNorm2d bn1, bn2;
        private readonly Sequential? shortcut;

        public BasicBlock(int inC, int planes, int stride) : base(nameof(BasicBlock))
        {
            conv1 = Conv2d(inC, planes, 3, stride: stride, padding: 1, bias: false);
            bn1 = new BatchNorm2d(planes);
            conv2 = Conv2d(planes, planes, 3, padding: 1, bias: false);
            bn2 = new BatchNorm2d(planes);
            shortcut = Shortcut(inC, planes, stride);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var a = functional.relu(bn1.forward(conv1.forward(x)));
            using var b = bn2.forward(conv2.forward(a));
            using var identity = shortcut is null ? x.alias() : shortcut.forward(x);
            using var sum = b.add(identity, Scalars.One);
            return functional.relu(sum);
        }
    }

    private sealed class Bottleneck : Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1, conv2, conv3;
        private readonly BatchNorm2d bn1, bn2, bn3;
        private readonly Sequential? shortcut;

        public Bottleneck(int inC, int planes, int stride) : base(nameof(Bottleneck))
        {
            conv1 = Conv2d(inC, planes, 1, bias: false);
            bn1 = new BatchNorm2d(planes);
            conv2 = Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false);
            bn2 = new BatchNorm2d(planes);
            conv3 = Conv2d(planes, planes * 4, 1, bias: false);
            bn3 = new BatchNorm2d(planes * 4);
            shortcut = Shortcut(inC, planes * 4, stride);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var a = functional.relu(bn1.forward(conv1.forward(x)));
            using var b = functional.relu(bn2.forward(conv2.forward(a)));
            using var c = bn3.forward(conv3.forward(b));
            using var identity = shortcut is null ? x.alias() : shortcut.forward(x);
            using var sum = c.add(identity, Scalars.One);
            return functional.relu(sum);
        }
    }
}
