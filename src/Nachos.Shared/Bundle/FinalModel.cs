using Nachos.Shared.Study;
using Nachos.Shared.Metrics;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Bundle;

/// <summary>
/// A study's model to deploy (DACHOS) as its pages state it: what it is, the configuration and epochs the search on all
/// data chose, its decision threshold, and the performance to expect of it: the NACHOS estimate across the outer folds
/// (<see cref="ExpectedPerformance"/>, as its bundle states it), never a figure measured on its own training data.
/// </summary>
/// <param name="Kind">What <c>deploy: final</c> names; for <see cref="FinalModelKind.Both"/> this is the model trained on all data.</param>
/// <param name="Images">The images that trained it (all of the dataset, or the union of the ensemble's outer-train sets).</param>
/// <param name="Deploy">The deploy fold's result: the chosen trial, configuration, inner score and epochs; null for a fold ensemble.</param>
/// <param name="TaskId">The source task id its bundle names: <c>study/o{K}/refit</c>, or <c>study/fold-ensemble</c>.</param>
/// <param name="Folder">Its weights' folder below the study's run directory (<c>deploy/o{K}/refit</c> when <c>nachos deploy</c> made it); null for the ensemble.</param>
/// <param name="Threshold">Its decision threshold; null for segmentation (a per-pixel rule).</param>
/// <param name="DeployedLater">Made by <c>nachos deploy</c> after the study finished.</param>
public sealed record FinalModel(FinalModelKind Kind, int Images, FoldResult? Deploy, string TaskId, string? Folder, double? Threshold,
    ExpectedPerformance Expected, bool DeployedLater)
{
    /// <summary>The final model of a study whose spec has <c>deploy:</c> (a deploy run's), or null without one.</summary>
    /// <param name="report">The report of that study (a deploy run's report holds the same estimate as the study's).</param>
    public static FinalModel? Of(StudySpec spec, StudyReport report, SplitPlan plan, bool deployedLater)
    {
        if (spec.Deploy is not { } deploy) return null;
        var segmentation = spec.Task == TaskKind.Segmentation;
        var expected = ExpectedPerformance.From(report);
        if (deploy.TrainsAllData)
        {
            var refit = TaskAddress.Refit(report.StudyId, plan.DeployIndex);
            return new FinalModel(deploy.Final == FinalModelKind.Both ? FinalModelKind.Both : FinalModelKind.AllData, plan.Deploy?.Train.Count ?? 0, report.Deploy,
                refit.ToString(), (deployedLater ? RunLayout.Deploy + "/" : "") + refit.Folder,
                segmentation ? null : report.OperatingPoint?.ThresholdOf(plan.DeployIndex) ?? DecisionRule.DefaultThreshold, expected, deployedLater);
        }
        // The fold ensemble's threshold is the mean of its members' (FoldEnsembleManifest).
        var threshold = plan.Outer.Select(f => report.OperatingPoint?.ThresholdOf(f.Index) ?? DecisionRule.DefaultThreshold).DefaultIfEmpty(DecisionRule.DefaultThreshold).Average();
        return new FinalModel(FinalModelKind.FoldEnsemble, plan.Outer.SelectMany(f => f.Train).Distinct().Count(), null,
            FoldEnsembleManifest.TaskId(report.StudyId), null, segmentation ? null : threshold, expected, deployedLater);
    }
}
