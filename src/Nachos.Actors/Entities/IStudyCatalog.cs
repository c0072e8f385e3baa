using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;

namespace Nachos.Actors.Entities;

/// <summary>What the entities of a study need to know about it, loaded by the host from the run directory.</summary>
public sealed record StudyContext(StudySpec Spec, SplitPlan Plan, Manifest Manifest, string RunDir)
{
    /// <summary>A task's folder: the task id below the study name, under the run directory.</summary>
    public string TaskDirectory(string taskId) => Path.Combine(RunDir, taskId[(taskId.IndexOf('/') + 1)..]);
}

public interface IStudyCatalog
{
    StudyContext Get(string studyId);
}
