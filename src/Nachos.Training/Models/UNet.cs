using Nachos.Training.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using BatchNorm2d = Nachos.Training.Torch.ScalarSafe.BatchNorm2d;

namespace Nachos.Training.Models;

/// <summary>
/// A 2-D UNet: <c>levels</c> resolutions, level l with max(4, round(32·2^l · width)) channels. Each level's block is
/// two 3×3 conv + BatchNorm + ReLU (or, with <c>residual</c>, a residual block whose shortcut is a 1×1 conv + BN
/// when the channel count changes). Down: 2×2 max-pool; up: 2×2 stride-2 transposed conv to the skip's width,
/// concatenated with the skip, then a block. The head is a 1×1 conv to <c>classes</c> logit maps at full
/// resolution: 1 for binary segmentation (foreground logit, sigmoid), K ≥ 2 for K classes with background as
/// class 0 (softmax). Height and width must be divisible by 2^(levels−1).
/// </summary>
public sealed class UNet : Module<Tensor, Tensor>
{
    public const int MinLevels = 1;
    public const int MaxLevels = 6;

    private readonly int levels;
    private readonly ModuleList<Module<Tensor, Tensor>> encoder;
    private readonly ModuleList<Module<Tensor, Tensor>> up;
    private readonly ModuleList<Module<Tensor, Tensor>> decoder;
    private readonly MaxPool2d pool;
    private readonly Conv2d head;

    public UNet(int inChannels, int classes, int levels, double width, bool residual) : base(nameof(UNet))
    {
        CheckLevels(levels);
        if (!(width > 0) || double.IsInfinity(width)) throw new ArgumentException($"UNet width must be a positive number; got {width}");
        if (inChannels < 1) throw new ArgumentException($"UNet input channels must be at least 1; got {inChannels}");
        if (classes < 1) throw new ArgumentException($"UNet classes must be at least 1 (1 = binary foreground logit); got {classes}");
        this.levels = levels;
        var widths = Widths(levels, width);
        var enc = new List<Module<Tensor, Tensor>>();
        var prev = inChannels;
        for (var l = 0; l < levels; l++)
        {
            enc.Add(Block(prev, widths[l], residual));
            prev = widths[l];
        }
        var ups = new List<Module<Tensor, Tensor>>();
        var dec = new List<Module<Tensor, Tensor>>();
        for (var l = 0; l < levels - 1; l++)
        {
            ups.Add(ConvTranspose2d(widths[l + 1], widths[l], 2, stride: 2));
            dec.Add(Block(2 * widths[l], widths[l], residual));
        }
        encoder = ModuleList([.. enc]);
        up = ModuleList([.. ups]);
        decoder = ModuleList([.. dec]);
        pool = MaxPool2d(2);
        head = Conv2d(widths[0], classes, 1);
        RegisterComponents();
    }

    /// <summary>Channels per level: base width 32 × <paramref name="width"/>, doubling per level, at least 4.</summary>
    public static int[] Widths(int levels, double width) =>
        [.. Enumerable.Range(0, levels).Select(l => Math.Max(4, (int)Math.Round((32 << l) * width)))];

    /// <summary>Throws a clear error unless both sides are divisible by 2^(levels−1), which the pooling needs.</summary>
    public static void CheckInputSize(int levels, long height, long width)
    {
        CheckLevels(levels);
        var factor = 1L << (levels - 1);
        if (height % factor != 0 || width % factor != 0)
            throw new ArgumentException(
                $"a UNet with {levels} levels needs image height and width divisible by {factor}; got {height}×{width}");
    }

    private static void CheckLevels(int levels)
    {
        if (levels is < MinLevels or > MaxLevels)
            throw new ArgumentException($"UNet levels must be in [{MinLevels}, {MaxLevels}]; got {levels}");
    }

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4) throw new ArgumentException($"UNet expects N×C×H×W input; got shape [{string.Join(", ", x.shape)}]");
        CheckInputSize(levels, x.shape[2], x.shape[3]);
        var skips = new List<Tensor>(levels);
        try
        {
            var current = x.alias();
            for (var l = 0; l < levels; l++)
            {
                var features = encoder[l].forward(current);
                current.Dispose();
                if (l == levels - 1)
                {
                    current = features;
                    break;
                }
                skips.Add(features);
                current = pool.forward(features);
            }
            for (var l = levels - 2; l >= 0; l--)
            {
                using var upsampled = up[l].forward(current);
                current.Dispose();
                using var joined = cat([upsampled, skips[l]], 1);
                current = decoder[l].forward(joined);
            }
            using var last = current;
            return head.forward(last);
        }
        finally
        {
            foreach (var s in skips) s.Dispose();
        }
    }

    private static Module<Tensor, Tensor> Block(int inC, int outC, bool residual) =>
        residual ? new ResidualBlock(inC, outC) : new ConvBlock(inC, outC);

    /// <summary>3×3 conv, BN, ReLU, 3×3 conv, BN: the body of both blocks.</summary>
    private sealed class TwoConvs : Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1, conv2;
        private readonly BatchNorm2d bn1, bn2;

        public TwoConvs(int inC, int outC) : base(nameof(TwoConvs))
        {
            conv1 = Conv2d(inC, outC, 3, padding: 1, bias: false);
            bn1 = new BatchNorm2d(outC);
            conv2 = Conv2d(outC, outC, 3, padding: 1, bias: false);
            bn2 = new BatchNorm2d(outC);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var c1 = conv1.forward(x);
            using var b1 = bn1.forward(c1);
            using var a = functional.relu(b1);
            using var c2 = conv2.forward(a);
            return bn2.forward(c2);
        }
    }

    /// <summary>(3×3 conv, BN, ReLU) × 2.</summary>
    private sealed class ConvBlock : Module<Tensor, Tensor>
    {
        private readonly TwoConvs body;

        public ConvBlock(int inC, int outC) : base(nameof(ConvBlock))
        {
            body = new TwoConvs(inC, outC);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var b = body.forward(x);
            return functional.relu(b);
        }
    }

    /// <summary>The two convs plus the input (1×1 conv + BN when channels change), then ReLU.</summary>
    private sealed class ResidualBlock : Module<Tensor, Tensor>
    {
        private readonly TwoConvs body;
        private readonly Sequential? shortcut;

        public ResidualBlock(int inC, int outC) : base(nameof(ResidualBlock))
        {
            body = new TwoConvs(inC, outC);
            shortcut = inC != outC ? Sequential(("conv", Conv2d(inC, outC, 1, bias: false)), ("bn", new BatchNorm2d(outC))) : null;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var b = body.forward(x);
            using var identity = shortcut is null ? x.alias() : shortcut.forward(x);
            using var sum = b.add(identity, Scalars.One);
            return functional.relu(sum);
        }
    }
}
