using Nachos.Shared.Spec;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nachos.Training.Engine;

public static class OptimizerFactory
{
    public static OptimizerHelper Create(TrainingSpec t, IEnumerable<Parameter> parameters) => t.Optimizer switch
    {
        OptimizerKind.Sgd => new Torch.ScalarSafe.SGD(parameters, t.LearningRate, t.Momentum, t.WeightDecay, t.Nesterov),
        OptimizerKind.Adam => new Torch.ScalarSafe.Adam(parameters, t.LearningRate, t.WeightDecay),
        OptimizerKind.AdamW => new Torch.ScalarSafe.AdamW(parameters, t.LearningRate, t.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static void SetLearningRate(optim.Optimizer optimizer, double lr)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
    }
}
