using Nachos.Shared.Spec;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nachos.Training.Engine;

public static class OptimizerFactory
{
    public static OptimizerHelper Create(TrainingSpec t, IEnumerable<Parameter> parameters) => t.Optimizer switch
    {
        OptimizerKind.Sgd => optim.SGD(parameters, t.LearningRate, momentum: t.Momentum, weight_decay: t.WeightDecay, nesterov: t.Nesterov),
        OptimizerKind.Adam => optim.Adam(parameters, t.LearningRate, weight_decay: t.WeightDecay),
        OptimizerKind.AdamW => optim.AdamW(parameters, t.LearningRate, weight_decay: t.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static void SetLearningRate(optim.Optimizer optimizer, double lr)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
    }
}
