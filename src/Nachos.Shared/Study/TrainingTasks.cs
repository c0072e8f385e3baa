using Nachos.Shared.Splits;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Study;

/// <summary>Resolves a queued task into the trainer's task: its sample ids from the split plan and its folder.</summary>
public static class TrainingTasks
{
    /// <summary>
    /// An inner task draws only on the outer-train set; this is checked here, at the last step before training, so the
    /// outer test fold cannot reach the inner loop (nor, through it, the normalisation statistics). With proxy data an
    /// inner task of a proxied trial (<paramref name="search"/>) trains and validates on its split's part of the fold's proxy selection.
    /// </summary>
    public static TrainingTask Resolve(SplitPlan plan, TaskSpec task, string runDir, Spec.SearchSpec search)
    {
        var fold = plan.Fold(task.Outer);
        var dir = RunLayout.TaskDirectory(runDir, task.Address());
        if (task.Inner is not { } j)
            return new TrainingTask(task.TaskId, fold.Train, [], fold.Test, task.Hyperparameters, task.MaxEpochs, task.Seed, dir);
        var split = search.Proxied(task.Trial) ? fold.SearchSplit(j) : fold.Inner[j];
        LeakageAudit.Guard(task.TaskId, fold, split);
        return new TrainingTask(task.TaskId, split.Train, split.Validation, [], task.Hyperparameters, task.MaxEpochs, task.Seed, dir, task.Budget());
    }
}
