using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Nachos.Training.Torch.ScalarSafe;

// TorchSharp's own steps pass implicitly converted Scalars (eps, betas, alpha = 1) to libtorch; once a Scalar's
// handle is read the object is unreachable, so a garbage collection triggered by another thread during the
// native call can finalize it while libtorch reads it ("Unknown scalar type" from THSTensor_add_scalar_,
// dotnet/TorchSharp#1496). These steps compute the same updates (the same libtorch calls in the same order,
// tested bit for bit) with Scalars held in `using` variables, alive until the call returns. The state and its
// saved form are TorchSharp's, and the classes carry TorchSharp's names because the saved form starts with the
// optimizer's type name: checkpoints load both ways. amsgrad and maximize are not
// offered by the spec and not implemented.

/// <summary>Adam (L2 weight decay added to the gradient), as TorchSharp's, without finalizable temporaries.</summary>
public sealed class Adam(IEnumerable<Parameter> parameters, double lr, double weightDecay)
    : TorchSharp.Modules.Adam(parameters, lr, weight_decay: weightDecay)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = (Options)group.Options;
        AdamUpdate.Apply(group.Parameters, p =>
        {
            var s = (State)_state[p.Handle];
            s.step++;
            return (s.exp_avg, s.exp_avg_sq, s.step);
        },
           
            o.LearningRate!.Value, o.beta1!.Value, o.beta2!.Value, o.eps!.Value, l2: o.weight_decay!.Value, decoupled: 0);
    }, closure);
}

/// <summary>AdamW (decoupled weight decay), as TorchSharp's, without finalizable temporaries.</summary>
public sealed class AdamW(IEnumerable<Parameter> parameters, double lr, double weightDecay)
    : TorchSharp.Modules.AdamW(parameters, lr, weight_decay: weightDecay)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = (Options)group.Options;
        AdamUpdate.Apply(group.Parameters, p =>
        {
            var s = (State)_state[p.Handle];
            s.step++;
            return (s.exp_avg, s.exp_avg_sq, s.step);
        },
           
            o.LearningRate!.Value, o.beta1!.Value, o.beta2!.Value, o.eps!.Value, l2: 0, decoupled: o.weight_decay!.Value);
    }, closure);
}

/// <summary>SGD with momentum, dampening, Nesterov and L2 weight decay, as TorchSharp's, without finalizable temporaries.</summary>
public sealed class SGD(IEnumerable<Parameter> parameters, double lr, double momentum, double weightDecay, bool nesterov)
    : TorchSharp.Modules.SGD(parameters, lr, momentum: momentum, weight_decay: weightDecay, nesterov: nesterov)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = group.Options;
        double lr = o.LearningRate!.Value, momentum = o.momentum!.Value, weightDecay = o.weight_decay!.Value;
        using var sMomentum = momentum.ToScalar();
        using var sDamped = (1 - o.dampening!.Value).ToScalar();
        using var sDecay = weightDecay.ToScalar();
        using var sStep = (-lr).ToScalar();
        foreach (var param in group.Parameters)
        {
            var grad = param.grad;
            if (grad is null) continue;
            var state = (State)_state[param.Handle];
            if (weightDecay != 0) grad = grad.add(param, sDecay);
            if (momentum != 0)
            {
                var buf = state.momentum_buffer;
                if (buf is null) state.momentum_buffer = buf = grad.clone().detach().DetachFromDisposeScope();
                else buf.mul_(sMomentum).add_(grad, sDamped);
                grad = o.nesterov!.Value ? grad.add(buf, sMomentum) : buf;
            }
            param.add_(grad, sStep);
        }
    }, closure);
}

internal static class AdamUpdate
{
    /// <summary>One Adam step per parameter; <paramref name="state"/> gives its moments and increments its step count.</summary>
    public static void Apply(IEnumerable<Parameter> parameters, Func<Parameter, (Tensor ExpAvg, Tensor ExpAvgSq, long Step)> state,
        double lr, double beta1, double beta2, double eps, double l2, double decoupled)
    {
        using var sBeta1 = beta1.ToScalar();
        using var sBeta2 = beta2.ToScalar();
        using var sOneMinusBeta1 = (1 - beta1).ToScalar();
        using var sOneMinusBeta2 = (1 - beta2).ToScalar();
        using var sEps = eps.ToScalar();
        using var sOne = 1.ToScalar();
        using var sL2 = l2.ToScalar();
        using var sShrink = (1 - lr * decoupled).ToScalar();
        foreach (var param in parameters)
        {
            var grad = param.grad;
            if (grad is null) continue;
            var (expAvg, expAvgSq, step) = state(param);
            if (decoupled != 0) param.mul_(sShrink);
            if (l2 != 0) grad = grad.add(param, sL2);
            expAvg.mul_(sBeta1).add_(grad, sOneMinusBeta1);
            expAvgSq.mul_(sBeta2).addcmul_(grad, grad, sOneMinusBeta2);
            using var sRootCorrection2 = Math.Sqrt(1 - Math.Pow(beta2, step)).ToScalar();
            using var sStep = (-(lr / (1 - Math.Pow(beta1, step)))).ToScalar();
            var denom = expAvgSq.sqrt().div_(sRootCorrection2).add_(sEps, sOne);
            param.addcdiv_(expAvg, denom, sStep);
        }
    }
}
