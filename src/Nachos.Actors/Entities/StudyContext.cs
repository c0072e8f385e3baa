using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Actors.Entities;

/// <summary>What the entities of a study need to know about it, loaded by the host from the run directory.</summary>
/// <param name="Origin">A study that deploys a finished one (<c>nachos deploy</c>): the outer folds it takes from it, unchanged.</param>
public sealed record StudyContext(StudySpec Spec, SplitPlan Plan, Manifest Manifest, string RunDir, DeployOrigin? Origin = null)
{
    /// <summary>The trainer's task for a queued task of this study (<see cref="TrainingTasks.Resolve"/>).</summary>
    public TrainingTask TrainingTask(TaskSpec task) => TrainingTasks.Resolve(Plan, task, RunDir, Spec.Search);

    public StudyBrief Brief => StudyBrief.Of(Spec, Plan) with { Inherited = Origin?.Folds };

    /// <summary>A task's folder: below the run directory, or below the origin's for an outer fold taken from it.</summary>
    public string TaskDirectory(TaskAddress task) => Origin?.TaskDirectory(Plan, task) ?? RunLayout.TaskDirectory(RunDir, task);
}

/// <summary>Where studies live. Devices resolve tasks with it and a study builds its report with it, both off an entity's message handler.</summary>
public interface IStudyCatalog
{
    /// <summary>Loads (once) the study's spec, plan and manifest: file work.</summary>
    StudyContext Get(string studyId);

    /// <summary>The study's run directory, without reading anything.</summary>
    string RunDirectory(string studyId);
}

/// <summary>A catalog of one study already in memory.</summary>
public sealed class SingleStudyCatalog(StudyContext context) : IStudyCatalog
{
    public StudyContext Get(string studyId) => context;

    public string RunDirectory(string studyId) => context.RunDir;
}
