using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Nachos.Training.Torch.ScalarSafe;

/// <summary>
/// TorchSharp's BatchNorm2d (its defaults: eps 1e-5, momentum 0.1, affine, tracking running statistics) with its training-mode forward counting batches through Scalars held until libtorch returns.
/// TorchSharp's own forward calls <c>num_batches_tracked.add_(1)</c>, whose implicitly converted Scalars can be finalized
/// during the native call ("Unknown scalar type" from <c>THSTensor_add_scalar_</c> in <c>BatchNorm.forward</c>, seen twice in
/// `bench pipeline`, 2026-12-05; dotnet/TorchSharp#1496). The same libtorch calls in the same order (tested bit for bit);
/// the parameters, buffers and their names are TorchSharp's, so saved models load both ways.
/// </summary>
public sealed class BatchNorm2d(long features)
    : TorchSharp.Modules.BatchNorm(features, 1e-05, 0.1, true, true, null, null, nameof(BatchNorm2d))
{
    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4) throw new ArgumentException($"expected 4D input (got {input.ndim}D input)");
    }

    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        var factor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is not null)
        {
            using (var one = 1L.ToScalar())
                num_batches_tracked.add_(one, one);
            factor = momentum is null or 0 ? 1.0 / (double)num_batches_tracked : momentum.Value;
        }
        var bnTraining = training || (running_mean is null && running_var is null);
        var tracked = !training || track_running_stats;
        return F.batch_norm(input, tracked ? running_mean : null, tracked ? running_var : null, weight, bias, bnTraining, factor, eps);
    }
}
