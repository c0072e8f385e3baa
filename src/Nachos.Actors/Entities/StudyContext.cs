using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Actors.Entities;

/// <summary>What the entities of a study need to know about it, loaded by the host from the run directory.</summary>
public sealed record StudyContext(StudySpec Spec, SplitPlan Plan, Manifest Manifest, string RunDir)
{
    /// <summary>
    /// The trainer's task for a queued task: its sample ids from the plan and its folder. An inner task
    /// draws only on the outer-train set; this is checked here, at the last step before training, so the
    /// outer test fold cannot reach the inner loop (nor, through it, the normalisation statistics).
    /// </summary>
    public TrainingTask TrainingTask(TaskSpec task)
    {
        var fold = Plan.Outer[task.Outer];
        var dir = RunLayout.TaskDirectory(RunDir, task.Address());
        if (task.Inner is not { } j)
            return new TrainingTask(task.TaskId, fold.Train, [], fold.Test, task.Hyperparameters, task.MaxEpochs, task.Seed, dir);
        var split = fold.Inner[j];
        var test = fold.Test.ToHashSet();
        var leaked = split.Train.Concat(split.Validation).FirstOrDefault(test.Contains);
        if (leaked is not null)
            throw new InvalidOperationException($"{task.TaskId}: sample '{leaked}' of outer test fold {fold.Name} is in an inner split; refusing to train");
        return new TrainingTask(task.TaskId, split.Train, split.Validation, [], task.Hyperparameters, task.MaxEpochs, task.Seed, dir);
    }
}

public interface IStudyCatalog
{
    StudyContext Get(string studyId);
}

/// <summary>A catalog of one study already in memory.</summary>
public sealed class SingleStudyCatalog(StudyContext context) : IStudyCatalog
{
    public StudyContext Get(string studyId) => context;
}
