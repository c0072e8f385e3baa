using Nachos.Shared.Spec;

namespace Nachos.Training.Engine;

/// <summary>Learning rate as a pure function of the epoch, so a resumed run needs no scheduler state.</summary>
public static class LrSchedule
{
    public static double At(TrainingSpec t, int epoch) => t.Schedule.Kind switch
    {
        LrScheduleKind.Step => t.LearningRate * Math.Pow(t.Schedule.Gamma, epoch / t.Schedule.StepSize),
        LrScheduleKind.Cosine => t.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * epoch / t.MaxEpochs)),
        LrScheduleKind.TimeDecay => t.LearningRate / (1 + t.Schedule.Decay * epoch),
        _ => t.LearningRate,
    };
}
