using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.SpecLoading;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

public sealed class ResultStatementTests
{
    private const string SpecText = """
        name: st
        seed: 17
        task: binary
        dataset:
          synthetic: { patients: 20 }
          classes: [normal, lesion]
        """;

    private static StudySpec Spec(string text = SpecText) => SpecLoader.Parse(text, Path.Combine(Path.GetTempPath(), "result-test.yaml"));

    /// <summary>Patients p0..p7, two images each; odd patients have a lesion.</summary>
    private static Manifest Manifest() => new("hand-made", TaskKind.Binary, ["normal", "lesion"],
        Enumerable.Range(0, 8).SelectMany(p => Enumerable.Range(0, 2).Select(i =>
            new Sample($"p{p}-i{i}", 2 + 2 * p + i, $"/data/p{p}-i{i}.png", [p % 2], null, $"p{p}", "site0", null))).ToArray());

    private static IReadOnlyList<string> Images(params int[] patients) => patients.SelectMany(p => new[] { $"p{p}-i0", $"p{p}-i1" }).ToList();

    /// <summary>Fold 0 tests p0–p3, fold 1 p4–p7; one inner split each.</summary>
    private static SplitPlan Plan(bool leak = false) => new("kfold", 17,
    [
        new OuterFold(0, "0", Images(0, 1, 2, 3), Images(4, 5, 6, 7), [new Split(Images(4, 5), Images(6, 7))]),
        new OuterFold(1, "1", Images(4, 5, 6, 7), leak ? [.. Images(0, 1, 2), "p4-i0"] : Images(0, 1, 2, 3), [new Split(Images(0, 1), Images(2, 3))]),
    ]);

    private static FoldResult Fold(int outer, double auroc) =>
        new(outer, 1, Hyperparameters.Empty.With("learning_rate", "0.01"), 0.9, 0.01, 5,
            new Dictionary<string, double?> { ["auroc"] = auroc, ["accuracy"] = 0.8 }, [], null);

    private static StudyReport Report(params double[] aurocs) =>
        StudyReport.Build("st", Spec(), Manifest(), aurocs.Select((a, k) => Fold(k, a)).ToList(), new Dictionary<int, IReadOnlyList<Prediction>>());

    private static readonly RunProvenance Provenance = new("nachos 1.0.0+abc; .NET 10.0.0; TorchSharp 0.105.0.0",
        new DateTime(2026, 12, 5, 10, 0, 0, DateTimeKind.Utc), new DateTime(2026, 12, 5, 11, 30, 5, DateTimeKind.Utc));

    [Fact]
    public void The_headline_states_the_mean_and_both_intervals_and_says_when_the_t_interval_was_cut()
    {
        // SciPy: mean 0.97, t-interval of [0.99, 0.95] with t(0.975, 1) = 0.7158759 .. 1.2241241, cut to 1.
        var cut = ResultStatement.Of(Report(0.99, 0.95), Spec(), SpecText, Plan(), Manifest(), null, Provenance);
        Assert.Equal("st: mean test AUROC 0.970 over 2 of 2 outer folds (95 % t-interval 0.716–1.000, cut to the metric's range; no bootstrap interval).",
            cut.Headline);
        Assert.True(cut.TIntervalCut);

        // [0.9, 0.8]: 0.2147 .. 1.4853 is cut at the top as well; one fold has no interval at all.
        Assert.True(ResultStatement.Of(Report(0.9, 0.8), Spec(), SpecText, Plan(), Manifest(), null, Provenance).TIntervalCut);
        var one = ResultStatement.Of(Report(0.9), Spec(), SpecText, Plan(), Manifest(), null, Provenance);
        Assert.False(one.TIntervalCut);
        Assert.Contains("over 1 of 2 outer folds (no t-interval (one fold)", one.Headline);
    }

    [Fact]
    public void The_details_give_patients_test_sets_rule_audit_hash_software_and_duration()
    {
        var s = ResultStatement.Of(Report(0.99, 0.95), Spec(), SpecText, Plan(), Manifest(), null, Provenance);

        var details = s.Details();
        Assert.Contains("2 outer folds over 8 patients; test sets: fold 0: 8 images of 4 patients, 4 positive (50 %); fold 1: 8 images of 4 patients, 4 positive (50 %).", details);
        Assert.Contains("Decision rule: positive when p >= 0.5.", details);
        Assert.Contains(details, l => l.StartsWith("Leakage audit: passed"));
        // hashlib.sha256 of the spec text, first 12 hex digits.
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(SpecText)))[..12], s.SpecHash);
        Assert.Equal("ba6949c52a9b", ResultStatement.Hash("name: st\n"));
        Assert.Contains($"Spec hash {s.SpecHash}; software nachos 1.0.0+abc; .NET 10.0.0; TorchSharp 0.105.0.0; finished 2026-12-05 11:30 UTC after 1 h 30 min.", details);
        Assert.Null(s.Banner);
        Assert.True(s.Complete);
    }

    [Fact]
    public void A_leaking_plan_an_unreadable_dataset_a_simulated_trainer_and_missing_provenance_are_said()
    {
        var leaking = ResultStatement.Of(Report(0.99, 0.95), Spec(), SpecText, Plan(leak: true), Manifest(), null, Provenance);
        Assert.False(leaking.Audit.Passed);
        Assert.Contains(leaking.Details(), l => l.StartsWith("Leakage audit: FAILED (") && l.Contains("p4"));

        var blind = ResultStatement.Of(Report(0.99, 0.95), Spec(), SpecText, Plan(), null, "/data/manifest.csv: no such file", new RunProvenance(null, null, null));
        Assert.Contains("2 outer folds over patients not counted (dataset not readable); test sets: fold 0: 8 images; fold 1: 8 images.", blind.Details());
        Assert.Contains("Leakage audit: not run (/data/manifest.csv: no such file).", blind.Details());
        Assert.Contains(blind.Details(), l => l.EndsWith("software not recorded; not finished."));

        var simulatedText = SpecText + "\nexecution: { trainer: simulated }\n";
        var simulated = ResultStatement.Of(Report(0.99, 0.95), Spec(simulatedText), simulatedText, Plan(), Manifest(), null, Provenance);
        Assert.StartsWith("Simulated trainer:", simulated.Banner);
    }
}
