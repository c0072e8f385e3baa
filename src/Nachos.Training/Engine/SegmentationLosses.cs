using Nachos.Training.Torch;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Nachos.Training.Engine;

public enum SegmentationLossKind { Dice, BceDice, CeDice, FocalTversky }

/// <summary>
/// Segmentation losses on logit maps (N×C×H×W) against label maps (int64 N×H×W, 0 = background). One channel
/// is a binary foreground logit (sigmoid, labels 0/1); C ≥ 2 channels are C classes, background included
/// (softmax, labels 0..C−1). Overlap terms follow MONAI's defaults: computed per image and per channel, then
/// averaged over both (MONAI <c>batch=False</c>, <c>reduction="mean"</c>), with the smooth term added to
/// numerator and denominator (MONAI <c>smooth_nr = smooth_dr = 1e-5</c>), and every channel counted
/// (MONAI <c>include_background=True</c>; a binary map's single channel is the foreground).
/// <list type="bullet">
/// <item>Dice: mean of 1 − (2·Σpg + s) / (Σp + Σg + s).</item>
/// <item>BceDice (1 channel): mean binary cross-entropy with logits + Dice (weights 1 and 1, as MONAI's DiceCELoss).</item>
/// <item>CeDice (C ≥ 2): mean cross-entropy over pixels + Dice of the softmax against one-hot labels.</item>
/// <item>FocalTversky: mean of (1 − TI)^γ, TI = (TP + s) / (TP + α·FP + β·FN + s), TP = Σpg, FP = Σp(1−g),
/// FN = Σ(1−p)g: α weights false positives, β false negatives (MONAI's and Salehi et al.'s convention);
/// γ &lt; 1 focuses on hard images (Abraham and Khan's 1/γ).</item>
/// </list>
/// </summary>
public sealed class SegmentationLosses
{
    public const double DefaultSmooth = 1e-5;
    public const double DefaultAlpha = 0.3, DefaultBeta = 0.7, DefaultGamma = 0.75;

    private readonly SegmentationLossKind _kind;
    private readonly double _alpha, _beta, _gamma, _smooth;

    public SegmentationLosses(SegmentationLossKind kind, double alpha = DefaultAlpha, double beta = DefaultBeta,
        double gamma = DefaultGamma, double smooth = DefaultSmooth)
    {
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown segmentation loss");
        Check(alpha >= 0 && double.IsFinite(alpha), "focal-Tversky alpha", alpha, "a finite number ≥ 0");
        Check(beta >= 0 && double.IsFinite(beta), "focal-Tversky beta", beta, "a finite number ≥ 0");
        Check(gamma > 0 && double.IsFinite(gamma), "focal-Tversky gamma", gamma, "a finite number > 0");
        Check(smooth >= 0 && double.IsFinite(smooth), "smooth term", smooth, "a finite number ≥ 0");
        (_kind, _alpha, _beta, _gamma, _smooth) = (kind, alpha, beta, gamma, smooth);
    }

    private static void Check(bool ok, string what, double value, string expected)
    {
        if (!ok) throw new ArgumentException($"segmentation loss {what} must be {expected}; got {value}");
    }

    /// <summary>Per-pixel probabilities: the sigmoid of a single foreground channel, otherwise the softmax over channels.</summary>
    public static Tensor Probabilities(Tensor logits) => logits.shape[1] == 1 ? logits.sigmoid() : logits.softmax(1);

    public Tensor Compute(Tensor logits, Tensor labels)
    {
        var channels = CheckShapes(logits, labels);
        if (_kind == SegmentationLossKind.BceDice && channels != 1)
            throw new ArgumentException($"BCE + Dice needs one foreground logit channel; got {channels} (use CE + Dice for several classes)");
        if (_kind == SegmentationLossKind.CeDice && channels < 2)
            throw new ArgumentException("CE + Dice needs at least 2 channels (background and foreground); got 1 (use BCE + Dice for one foreground logit)");
        using var p = Probabilities(logits);
        using var g = OneHot(labels, channels, logits.dtype);
        switch (_kind)
        {
            case SegmentationLossKind.Dice:
                return SoftDice(p, g);
            case SegmentationLossKind.BceDice:
            {
                using var bce = F.binary_cross_entropy_with_logits(logits, g);
                using var dice = SoftDice(p, g);
                return bce.add(dice, Scalars.One);
            }
            case SegmentationLossKind.CeDice:
            {
                using var ce = F.cross_entropy(logits, labels);
                using var dice = SoftDice(p, g);
                return ce.add(dice, Scalars.One);
            }
            default:
                return FocalTversky(p, g);
        }
    }

    private Tensor SoftDice(Tensor p, Tensor g)
    {
        using var two = 2.ToScalar();
        using var s = _smooth.ToScalar();
        using var pg = p.mul(g);
        using var tp = pg.sum(2, 3);
        using var ps = p.sum(2, 3);
        using var gs = g.sum(2, 3);
        using var twice = tp.mul(two);
        using var num = twice.add(s, Scalars.One);
        using var total = ps.add(gs, Scalars.One);
        using var den = total.add(s, Scalars.One);
        using var ratio = num.div(den);
        using var meanRatio = ratio.mean();
        return ones_like(meanRatio).sub(meanRatio);
    }

    private Tensor FocalTversky(Tensor p, Tensor g)
    {
        using var alpha = _alpha.ToScalar();
        using var beta = _beta.ToScalar();
        using var gamma = _gamma.ToScalar();
        using var s = _smooth.ToScalar();
        using var zero = 0.ToScalar();
        using var pg = p.mul(g);
        using var tp = pg.sum(2, 3);
        using var ps = p.sum(2, 3);
        using var gs = g.sum(2, 3);
        using var fp = ps.sub(tp);
        using var fn = gs.sub(tp);
        using var num = tp.add(s, Scalars.One);
        using var withFp = num.add(fp, alpha);
        using var den = withFp.add(fn, beta);
        using var ti = num.div(den);
        using var miss = ones_like(ti).sub(ti);
        using var nonNegative = miss.clamp_min(zero); // rounding can leave −ε, and a fractional power of it is NaN
        using var focused = nonNegative.pow(gamma);
        return focused.mean();
    }

    /// <summary>N×C×H×W 0/1 targets: the label map itself for one channel, its one-hot encoding otherwise.</summary>
    private static Tensor OneHot(Tensor labels, long channels, ScalarType dtype)
    {
        if (channels == 1)
        {
            using var plane = labels.unsqueeze(1);
            return plane.to_type(dtype);
        }
        using var hot = F.one_hot(labels, channels);
        using var planar = hot.permute(0, 3, 1, 2);
        return planar.to_type(dtype);
    }

    private static long CheckShapes(Tensor logits, Tensor labels)
    {
        if (logits.dim() != 4 || labels.dim() != 3 || logits.shape[0] != labels.shape[0]
            || logits.shape[2] != labels.shape[1] || logits.shape[3] != labels.shape[2])
            throw new ArgumentException(
                $"segmentation loss needs N×C×H×W logits and N×H×W labels; got [{string.Join(", ", logits.shape)}] and [{string.Join(", ", labels.shape)}]");
        if (labels.dtype != ScalarType.Int64) throw new ArgumentException($"segmentation labels must be int64 class indices; got {labels.dtype}");
        var channels = logits.shape[1];
        var classes = Math.Max(channels, 2);
        using var lo = labels.min();
        using var hi = labels.max();
        long min = lo.item<long>(), max = hi.item<long>();
        if (min < 0 || max >= classes)
            throw new ArgumentException($"segmentation label {(min < 0 ? min : max)} is outside [0, {classes - 1}] for {channels} output channel(s)");
        return channels;
    }
}
