using Nachos.Actors.Entities;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Host.Running;

/// <summary>Turns a queued task into the trainer's task: its sample ids from the plan and its folder.</summary>
public static class TaskPlanner
{
    public static TrainingTask ToTrainingTask(StudyContext context, TaskSpec task)
    {
        var fold = context.Plan.Outer[task.Outer];
        var dir = context.TaskDirectory(task.TaskId);
        if (task.Inner is { } j)
        {
            var split = fold.Inner[j];
            return new TrainingTask(task.TaskId, split.Train, split.Validation, [], task.Hyperparameters, task.MaxEpochs, task.Seed, dir);
        }
        // The refit: all of D \ T_k, then one evaluation on T_k.
        return new TrainingTask(task.TaskId, fold.Train, [], fold.Test, task.Hyperparameters, task.MaxEpochs, task.Seed, dir);
    }
}
