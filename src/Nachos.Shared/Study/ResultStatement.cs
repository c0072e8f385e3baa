using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Nachos.Shared.Data;
using Nachos.Shared.Metrics;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Study;

/// <summary>One outer fold's test set: images, patients and, for binary tasks, how many are positive.</summary>
/// <param name="Patients">Null when the dataset could not be read.</param>
public sealed record FoldTestSet(int Outer, int Images, int? Patients, int? Positives)
{
    public string Describe() =>
        $"fold {Outer}: {Images} images" + (Patients is { } n ? $" of {n} patients" : "") + (Positives is { } p && Images > 0
            ? $", {p} positive ({((double)p / Images * 100).ToString("0.#", CultureInfo.InvariantCulture)} %)"
            : "");
}

/// <summary>A result statement's lines: the simulated-trainer banner (if any), the headline, the details.</summary>
public sealed record ResultText(string? Banner, string Headline, IReadOnlyList<string> Details);

/// <summary>The split plan's leakage audit run again on the dataset: its problems, or why it could not run.</summary>
public sealed record Audit(IReadOnlyList<string>? Problems, string? NotRun)
{
    public bool Passed => Problems is { Count: 0 };

    public string Describe() =>
        Problems is null ? $"Leakage audit: not run ({NotRun})."
        : Problems.Count == 0 ? "Leakage audit: passed (no patient in both the test and the training or validation data of a fold)."
        : $"Leakage audit: FAILED ({string.Join("; ", Problems.Take(3))}).";
}

/// <summary>When and with what a study ran, as recorded in its run directory (null members: not recorded).</summary>
public sealed record RunProvenance(string? Software, DateTime? Submitted, DateTime? Finished);

/// <summary>
/// The result of a study in words, for the top of every surface that shows it (terminal, study page, HTML export):
/// the search metric's mean with its 95 % intervals and what each covers, the folds and patients, each test set,
/// the decision threshold, the leakage audit, the spec's hash and where the numbers came from.
/// </summary>
public sealed record ResultStatement(
    string StudyId,
    string Metric,
    MetricSummary? Summary,
    bool TIntervalCut,
    int Folds,
    int? Patients,
    IReadOnlyList<FoldTestSet> TestSets,
    string Threshold,
    Audit Audit,
    string SpecHash,
    RunProvenance Provenance,
    bool Simulated,
    bool Complete,
    string? FinalModel = null)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <param name="manifest">The dataset's manifest, or the reason it could not be read (then patients and the audit are not stated).</param>
    public static ResultStatement Of(StudyReport report, StudySpec spec, string specText, SplitPlan plan, Manifest? manifest, string? unreadable,
        RunProvenance provenance)
    {
        var metric = spec.Search.Metric;
        var summary = report.Metrics.FirstOrDefault(m => m.Metric == metric) ?? report.Metrics.FirstOrDefault();
        var byId = manifest?.ById;
        var testSets = plan.Outer.Select(f =>
        {
            if (byId is null) return new FoldTestSet(f.Index, f.Test.Count, null, null);
            var samples = f.Test.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
            int? positives = spec.Task == TaskKind.Binary ? samples.Count(s => s.Labels[0] == 1) : null;
            return new FoldTestSet(f.Index, f.Test.Count, samples.Select(s => s.Group).Distinct().Count(), positives);
        }).ToList();
        int? patients = byId is null ? null
            : plan.Outer.SelectMany(f => f.Test.Concat(f.Train)).Distinct().Where(byId.ContainsKey).Select(id => byId[id].Group).Distinct().Count();
        var audit = manifest is null
            ? new Audit(null, unreadable ?? "no dataset")
            : new Audit(LeakageAudit.Check(plan, manifest, spec.Split.GroupByPatient, exhaustive: spec.Split.Scheme != SplitScheme.Holdout), null);
        return new ResultStatement(report.StudyId, summary?.Metric ?? metric, summary, Cut(summary), plan.Outer.Count, patients, testSets,
            DecisionRule.Describe(spec.Task, spec.Evaluation.Threshold), audit, Hash(specText), provenance, spec.Execution.Trainer == TrainerKind.Simulated, report.Complete,
            FinalModelOf(report, plan, metric) is var final && spec.Deploy is { OffersEnsemble: true }
                ? string.Join(" ", new[] { final, FoldEnsembleOf(plan) }.OfType<string>()) : final);
    }

    /// <summary>The fold ensemble offered as a model to deploy (<c>deploy: final</c> fold-ensemble or both), in words.</summary>
    private static string FoldEnsembleOf(SplitPlan plan) =>
        $"Fold ensemble: the {plan.Outer.Count} outer folds' refits, their probabilities averaged (nachos bundle RUN_DIR --fold-ensemble); "
        + "its expected performance is the estimate above.";

    /// <summary>DACHOS's final model in words: what the search on all data chose and where the weights are; null without a deploy fold.</summary>
    private static string? FinalModelOf(StudyReport report, SplitPlan plan, string metric)
    {
        if (plan.Deploy is not { } deploy || report.Deploy is not { } d) return null;
        if (d.Failure is not null || d.Config is null) return $"Final model (DACHOS): not made ({d.Failure ?? "no configuration chosen"}).";
        var folder = TaskAddress.Refit(report.StudyId, plan.DeployIndex).Folder;
        return $"Final model (DACHOS): the same search on all {deploy.Train.Count} images chose trial {d.ChosenTrial} ({d.Config.Display()}; "
               + $"inner {MetricText.Name(metric)} {F(d.InnerScore)} ± {F(d.InnerStandardError)}), trained on all data for {d.RefitEpochs} epochs: "
               + $"{folder}/{RunLayout.Model}"
               + (report.OperatingPoint?.ThresholdOf(plan.DeployIndex) is { } t ? $", decision threshold {F(t)} chosen on its inner validation predictions" : "")
               + ". Its expected performance is the estimate above; it has no test set of its own.";
    }

    /// <summary>The spec's SHA-256 (of the stored spec.yaml), first 12 hex digits.</summary>
    public static string Hash(string specText) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(specText)))[..12];

    /// <summary>Whether the stored t-interval is narrower than the per-fold values give: it was cut to the metric's range.</summary>
    private static bool Cut(MetricSummary? m)
    {
        var defined = m?.PerFold.OfType<double>().ToList();
        if (m?.Summary is not { CiLow: { } low, CiHigh: { } high } || defined is not { Count: > 1 }) return false;
        var raw = Intervals.Summarise(defined);
        return raw.CiLow < low - 1e-12 || raw.CiHigh > high + 1e-12;
    }

    private static string F(double? v) => MetricText.Show(v);

    /// <summary>The result in one sentence.</summary>
    public string Headline
    {
        get
        {
            var name = MetricText.Name(Metric);
            if (Summary?.Summary is not { } s) return $"{StudyId}: no test {name} (no outer fold finished).";
            var t = s.CiLow is null ? "no t-interval (one fold)" : $"95 % t-interval {F(s.CiLow)}–{F(s.CiHigh)}{(TIntervalCut ? ", cut to the metric's range" : "")}";
            var boot = Summary.BootstrapLow is null ? "no bootstrap interval" : $"patient bootstrap {F(Summary.BootstrapLow)}–{F(Summary.BootstrapHigh)}";
            return $"{StudyId}: mean test {name} {F(s.Mean)} over {s.Count} of {Folds} outer folds ({t}; {boot}).";
        }
    }

    /// <summary>What the intervals cover, then the facts a reviewer asks for, one line each.</summary>
    public IReadOnlyList<string> Details()
    {
        var lines = new List<string>
        {
            "The t-interval is the fold-to-fold spread of the whole pipeline (search, refit, test): what another run on new data of this kind would vary by. "
            + $"The bootstrap resamples test patients ({StudyReport.BootstrapReplicates} replicates) with the fitted models held fixed: the uncertainty from the test sample alone.",
            $"{Folds} outer folds over {(Patients is { } n ? $"{n} patients" : "patients not counted (dataset not readable)")}; test sets: {string.Join("; ", TestSets.Select(t => t.Describe()))}.",
            $"Decision rule: {Threshold}.",
            Audit.Describe(),
            $"Spec hash {SpecHash}; software {Provenance.Software ?? "not recorded"}; "
            + (Provenance.Finished is { } end
                ? $"finished {end.ToString("yyyy-MM-dd HH:mm", Invariant)} UTC" + (Provenance.Submitted is { } start && end >= start ? $" after {Duration(end - start)}" : "")
                : "not finished") + ".",
        };
        if (FinalModel is not null) lines.Add(FinalModel);
        if (!Complete) lines.Add("The study is incomplete: some folds failed or files were missing (see the problems below).");
        return lines;
    }

    /// <summary>The statement as the lines every surface shows, and as the API sends it (report format <c>result</c>).</summary>
    public ResultText Text => new(Banner, Headline, Details());

    /// <summary>Shown above everything when the numbers come from the simulated trainer.</summary>
    public string? Banner => Simulated ? "Simulated trainer: these numbers come from a deterministic function of the hyperparameters, not from trained models." : null;

    private static string Duration(TimeSpan d) =>
        d.TotalHours >= 1 ? $"{(int)d.TotalHours} h {d.Minutes} min" : d.TotalMinutes >= 1 ? $"{(int)d.TotalMinutes} min {d.Seconds} s" : $"{d.TotalSeconds:0} s";
}
