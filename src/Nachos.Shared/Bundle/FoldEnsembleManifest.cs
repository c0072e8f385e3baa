using System.Globalization;

namespace Nachos.Shared.Bundle;

/// <summary>
/// The bundle.json of a study's fold ensemble (<c>deploy: { final: fold-ensemble }</c>): its outer folds' refits, each
/// a one-model bundle of its own (its network and normalisation statistics), their probabilities averaged.
/// </summary>
public static class FoldEnsembleManifest
{
    /// <summary>The task id a fold ensemble's bundle names as its source.</summary>
    public static string TaskId(string study) => $"{study}/fold-ensemble";

    /// <summary>
    /// The ensemble of <paramref name="members"/> (the refits of every outer fold of one study, in fold order). Its
    /// threshold is the mean of the members' thresholds: each was chosen without leakage on its own inner validation
    /// predictions, and no held-out image is left to choose one for the averaged probabilities (every image trained some
    /// member). Its expected performance is the study's NACHOS estimate, as the members' is.
    /// </summary>
    /// <param name="trainedOn">The images that trained some member (the union of the outer-train sets).</param>
    /// <exception cref="BundleException">Fewer than two members, or members that cannot be averaged (another study, task, classes, outputs or input size).</exception>
    public static BundleManifest Of(IReadOnlyList<BundleManifest> members, string runDirectory, int trainedOn, BundleHardware hardware, DateTimeOffset created)
    {
        if (members.Count < 2)
            throw new BundleException($"{runDirectory}: a fold ensemble averages at least two outer folds' refits; this study has {members.Count}");
        var first = members[0];
        foreach (var m in members.Skip(1))
        {
            string? differs =
                m.Source.Study != first.Source.Study || m.SplitPlanHash != first.SplitPlanHash ? "study or split plan"
                : m.Task != first.Task || !m.Classes.SequenceEqual(first.Classes) ? "task or classes"
                : m.Network!.Outputs != first.Network!.Outputs || m.Network.Activation != first.Network.Activation ? "network outputs or activation"
                : (m.Preprocessing!.Height, m.Preprocessing.Width, m.Preprocessing.Channels, m.Preprocessing.MaxPixels)
                  != (first.Preprocessing!.Height, first.Preprocessing.Width, first.Preprocessing.Channels, first.Preprocessing.MaxPixels) ? "input size or channels"
                : null;
            if (differs is not null)
                throw new BundleException($"{m.Source.TaskId} and {first.Source.TaskId}: not the same {differs}, so their probabilities cannot be averaged");
        }
        var threshold = members.Average(m => m.Decision.Threshold);
        var thresholds = string.Join(", ", members.Select(m => m.Decision.Threshold.ToString("R", CultureInfo.InvariantCulture)));
        var rule = first.Task == "binary"
            ? $"mean probability of the {members.Count} refits >= {threshold.ToString("R", CultureInfo.InvariantCulture)}, the mean of their thresholds ({thresholds}; each: {first.Decision.Rule})"
            : $"mean probability of the {members.Count} refits; each member's rule: {first.Decision.Rule}";
        var devices = string.Join(", ", members.Select(m => m.Hardware.TrainedOn).Distinct());
        return first with
        {
            Format = BundleJson.EnsembleFormatVersion,
            Source = new BundleSource(first.Source.Study, TaskId(first.Source.Study), null, runDirectory),
            Network = null,
            Preprocessing = null,
            Decision = new BundleDecision(threshold, rule),
            Dataset = first.Dataset with { TrainedOn = trainedOn },
            Seeds = new BundleSeeds(first.Seeds.Study, null),
            Hardware = hardware with { TrainedOn = devices },
            Created = created,
            Weights = null,
            Members = members.Select(m => new BundleMember(m.Source.OuterFold!.Value, BundleLayout.MemberFolder(m.Source.OuterFold.Value), m.Weights!.Sha256)).ToList(),
        };
    }
}
