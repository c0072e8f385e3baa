using Nachos.Shared.Splits;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Study;

/// <summary>
/// The finished study that a deploy run (<c>nachos deploy RUN_DIR</c>, in <see cref="RunLayout.DeployDirectory"/>) extends:
/// its run directory and its outer folds' results. The deploy run is the same study with <c>deploy:</c> added; it takes
/// the outer folds from the origin unchanged (their results, and their task folders where they are) and runs only what
/// <c>deploy:</c> adds.
/// </summary>
public sealed record DeployOrigin(string RunDir, IReadOnlyList<FoldResult> Folds)
{
    /// <summary>The folder of an outer fold's task in the origin; null for a task of the deploy fold (the deploy run's own).</summary>
    public string? TaskDirectory(SplitPlan plan, TaskAddress task) =>
        task.Outer < plan.Outer.Count ? RunLayout.TaskDirectory(RunDir, task) : null;
}
