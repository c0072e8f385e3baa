using static TorchSharp.torch;

namespace Nachos.Training.Models;

/// <summary>
/// A classification network seen as two halves split after its last convolutional block, for Grad-CAM and feature maps:
/// <c>Classify(LastConvActivation(x))</c> equals <c>forward(x)</c>. The network's own forward stays the fast path.
/// </summary>
public interface IConvClassifier
{
    /// <summary>The last convolutional block's activation, N×C×h×w.</summary>
    Tensor LastConvActivation(Tensor input);

    /// <summary>The logits from that activation (N×classes): the rest of the forward pass.</summary>
    Tensor Classify(Tensor activation);

    /// <summary>The penultimate layer's features (N×C): what the final linear layer reads, from the activation.</summary>
    Tensor Penultimate(Tensor activation);
}
