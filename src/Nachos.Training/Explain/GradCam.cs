using Nachos.Training.Models;
using Nachos.Training.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Nachos.Training.Explain;

/// <summary>
/// Grad-CAM (Selvaraju et al., 2017): where in the image the last convolutional block's features raised a class's logit.
/// For class c and activation maps A_k of the last convolutional block, the channel weights are the spatially averaged
/// gradients α_k = mean_ij ∂y_c/∂A_k(i, j); the map is ReLU(Σ_k α_k A_k), upsampled bilinearly (half-pixel centres,
/// PyTorch's <c>align_corners=False</c>) to the input's size and scaled to [0, 1] per image by (m − min) / (max − min),
/// all zeros when the map is constant.
/// </summary>
public static class GradCam
{
    /// <summary>
    /// One map per image of <paramref name="input"/> (N×C×H×W, normalised as the model was trained), for the class
    /// <paramref name="classes"/>[i] of image i: row-major H×W floats in [0, 1]. The model is put in eval mode.
    /// </summary>
    public static float[][] Compute(nn.Module<Tensor, Tensor> model, Tensor input, IReadOnlyList<int> classes)
    {
        if (model is not IConvClassifier network)
            throw new ArgumentException($"Grad-CAM needs a network split at its last convolutional block; {model.GetName()} is not");
        if (input.dim() != 4) throw new ArgumentException($"Grad-CAM expects N×C×H×W input; got shape [{string.Join(", ", input.shape)}]");
        var n = (int)input.shape[0];
        if (classes.Count != n) throw new ArgumentException($"Grad-CAM needs one class per image: {n} images, {classes.Count} classes");
        var (height, width) = (input.shape[2], input.shape[3]);
        CpuConvolutions.UseAtenKernels();
        model.eval();
        using var scope = NewDisposeScope();
        Tensor activation;
        using (no_grad())
            activation = network.LastConvActivation(input).detach();
        using var gradients = enable_grad();
        activation.requires_grad_(true);
        var logits = network.Classify(activation);
        var outputs = logits.shape[1];
        if (classes.Any(c => c < 0 || c >= outputs))
            throw new ArgumentException($"Grad-CAM class out of range: the model has {outputs} outputs; asked for {string.Join(", ", classes)}");
        using var index = tensor(classes.Select(c => (long)c).ToArray(), [n, 1], device: logits.device);
        // Images are independent in eval mode, so the gradient of the sum is each image's own.
        var score = logits.gather(1, index).sum();
        var gradient = autograd.grad([score], [activation])[0];
        using (no_grad())
        {
            var weights = gradient.mean([2, 3], keepdim: true);
            var cam = nn.functional.relu((weights * activation).sum(1, keepdim: true));
            var upsampled = nn.functional.interpolate(cam, size: [height, width], mode: InterpolationMode.Bilinear, align_corners: false)
                .reshape(n, height * width).cpu().to_type(ScalarType.Float32);
            var flat = upsampled.data<float>().ToArray();
            var plane = (int)(height * width);
            return [.. Enumerable.Range(0, n).Select(i => Scale(flat.AsSpan(i * plane, plane)))];
        }
    }

    /// <summary>(m − min) / (max − min), or all zeros for a constant map.</summary>
    public static float[] Scale(ReadOnlySpan<float> map)
    {
        var (min, max) = (float.PositiveInfinity, float.NegativeInfinity);
        foreach (var v in map)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        var result = new float[map.Length];
        var range = max - min;
        if (!(range > 0)) return result;
        for (var i = 0; i < map.Length; i++) result[i] = (map[i] - min) / range;
        return result;
    }
}
