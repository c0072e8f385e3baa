using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.Shared.SpecLoading;

namespace Nachos.Shared.Tests;

/// <summary>The refit artifacts a report reads, what it does when one is missing or unreadable, and how often it tries.</summary>
public sealed class StudyReportInputTests
{
    private const string OddClass = "le\"s,ion";

    /// <summary>Binary samples s0..s{n−1}, each its own patient; odd samples carry the oddly named class.</summary>
    private static Manifest Binary(int n, string positive = OddClass) => new("sim", TaskKind.Binary, ["normal", positive],
        Enumerable.Range(0, n).Select(i => new Sample($"s{i}", i + 2, $"/data/s{i}.png", [i % 2], null, $"s{i}", "site0", null)).ToArray());

    private static StudySpec Spec() => SpecLoader.Parse("""
        name: st
        seed: 17
        task: binary
        dataset:
          synthetic: { patients: 20 }
          classes: [normal, lesion]
        """, Path.Combine(Path.GetTempPath(), "st.yaml"));

    /// <summary>A refit on s0..s19 tested on s20..s29, as the simulated trainer writes it.</summary>
    private static (RefitArtifact Refit, Manifest Manifest) Refit(TempDir dir, int outer = 0)
    {
        var m = Binary(30);
        var ids = m.Samples.Select(s => s.Id).ToList();
        var task = new TrainingTask($"st/o{outer}/refit", ids.Take(20).ToList(), [], ids.Skip(20).ToList(),
            Hyperparameters.Empty.With("learning_rate", 0.003), 3, 5, dir.File($"o{outer}/refit"));
        SimulatedTrainer.Run(task, m, new SimulatedSpec(SecondsPerEpoch: 0, FailureRate: 0), 1, CancellationToken.None);
        return (new RefitArtifact(outer, Path.Combine(task.Directory, "predictions.csv"), task.Test), m);
    }

    private static FoldResult Fold(int outer) => new(outer, 0, Hyperparameters.Empty.With("learning_rate", 0.003), 0.8, 0.01, 3,
        new Dictionary<string, double?> { ["auroc"] = 0.8, ["accuracy"] = 0.7 }, [], null);

    [Fact]
    public void Predictions_of_a_class_named_with_a_quote_and_a_comma_are_written_quoted_and_read_back()
    {
        using var dir = new TempDir();
        var (refit, m) = Refit(dir);

        var inputs = ReportInputs.Read([refit], m);

        Assert.Empty(inputs.Problems);
        var rows = inputs.Predictions[0];
        Assert.Equal(refit.Test, rows.Select(r => r.SampleId));
        Assert.All(rows, r => Assert.Equal(2, r.Probabilities.Count));
        Assert.StartsWith("sample_id,set,true,p_normal,\"p_le\"\"s,ion\",predicted", File.ReadAllText(refit.PredictionsFile));
    }

    [Fact]
    public void A_missing_predictions_file_is_a_problem_naming_the_fold_and_the_file()
    {
        using var dir = new TempDir();
        var (refit, m) = Refit(dir, outer: 2);
        File.Delete(refit.PredictionsFile);

        var inputs = ReportInputs.Read([refit], m);

        Assert.Empty(inputs.Predictions);
        Assert.Equal([$"outer fold 2: refit test predictions {refit.PredictionsFile}: missing"], inputs.Problems);
    }

    [Fact]
    public void A_file_with_the_class_name_unquoted_is_a_problem_that_names_it_and_quotes_nothing_of_it()
    {
        using var dir = new TempDir();
        var (refit, m) = Refit(dir);
        // As the simulated trainer wrote it before: the header's class column not quoted.
        var lines = File.ReadAllLines(refit.PredictionsFile);
        lines[0] = "sample_id,set,true,p_normal,p_le\"s,ion,predicted";
        File.WriteAllLines(refit.PredictionsFile, lines);

        var problem = Assert.Single(ReportInputs.Read([refit], m).Problems);

        Assert.StartsWith($"outer fold 0: refit test predictions {refit.PredictionsFile}:1: ", problem);
        Assert.DoesNotContain("p_le", problem);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("not a number")]
    [InlineData("unknown sample")]
    public void A_damaged_predictions_file_is_a_problem_naming_the_file(string damage)
    {
        using var dir = new TempDir();
        var (refit, m) = Refit(dir);
        var lines = File.ReadAllLines(refit.PredictionsFile).ToList();
        var expected = damage switch
        {
            "truncated" => "lacks 3 of the fold's 10 test samples",
            "not a number" => ":2: column 'p_normal' is not a number",
            _ => ":2: column 'sample_id' names no sample of the dataset",
        };
        if (damage == "truncated") lines.RemoveRange(lines.Count - 3, 3);
        else
        {
            var fields = lines[1].Split(',');
            if (damage == "not a number") fields[3] = "secret";
            else fields[0] = "secret";
            lines[1] = string.Join(",", fields);
        }
        File.WriteAllLines(refit.PredictionsFile, lines);

        var problem = Assert.Single(ReportInputs.Read([refit], m).Problems);

        Assert.StartsWith($"outer fold 0: refit test predictions {refit.PredictionsFile}", problem);
        Assert.EndsWith(expected, problem);
        Assert.DoesNotContain("secret", problem);
    }

    [Fact]
    public void A_report_with_problems_is_incomplete_and_has_no_bootstrap_interval()
    {
        using var dir = new TempDir();
        var (refit, m) = Refit(dir);
        var predictions = new Dictionary<int, IReadOnlyList<Prediction>> { [0] = ReportInputs.Read([refit], m).Predictions[0] };

        var whole = StudyReport.Build("st", Spec(), m, [Fold(0), Fold(1)], predictions);
        var lacking = StudyReport.Build("st", Spec(), m, [Fold(0), Fold(1)], predictions, ["outer fold 1: refit test predictions /x: missing"]);

        Assert.True(whole.Complete);
        Assert.Null(whole.Problems);
        Assert.Contains(whole.Metrics, x => x.BootstrapLow is not null);
        Assert.False(lacking.Complete);
        Assert.Equal(["outer fold 1: refit test predictions /x: missing"], lacking.Faults());
        Assert.All(lacking.Metrics, x => Assert.Null(x.BootstrapLow));
        // The per-fold test metrics from the journal are kept.
        Assert.Equal([0.8, 0.8], lacking.Metrics.Single(x => x.Metric == "auroc").PerFold);
    }

    private static StudyState Finished(int folds) =>
        Enumerable.Range(0, folds).Aggregate(StudyState.Empty.Apply(new StudyStarted("st", folds)), (s, k) => s.Apply(new FoldReported(Fold(k))));

    [Fact]
    public void A_report_with_problems_is_retried_a_bounded_number_of_times_then_finishes_the_study_failed()
    {
        var report = StudyReport.Unbuilt("st", [Fold(0)], ["outer fold 0: refit test predictions /x: missing"]);
        var state = Finished(1);
        var waits = new List<TimeSpan>();
        StudyFinished? finished = null;
        for (var i = 0; i < 100 && finished is null; i++)
        {
            switch (state.DecideReport(report))
            {
                case RetryReport r:
                    waits.Add(r.After);
                    Assert.Equal(report.Problems, r.Failed.Problems);
                    state = state.Apply(r.Failed);
                    break;
                case FinishStudy f:
                    finished = f.Finished;
                    break;
            }
        }

        Assert.NotNull(finished);
        Assert.Equal(StudyState.MaxReportAttempts - 1, waits.Count);
        Assert.Equal(StudyState.ReportRetryDelays, waits);
        Assert.False(finished.Succeeded);
        Assert.Equal("outer fold 0: refit test predictions /x: missing", finished.Summary);
        Assert.Same(report, finished.Report);
    }

    [Fact]
    public void Attempts_made_before_a_restart_count_from_the_journal()
    {
        var report = StudyReport.Unbuilt("st", [Fold(0)], ["outer fold 0: refit test predictions /x: missing"]);
        // The events of the attempts made before the node restarted, replayed.
        var state = Enumerable.Range(1, StudyState.MaxReportAttempts - 1)
            .Aggregate(Finished(1), (s, a) => s.Apply(new ReportAttemptFailed(a, report.Problems!)));

        Assert.IsType<FinishStudy>(state.DecideReport(report));
    }

    [Fact]
    public void A_report_without_problems_finishes_at_once_and_succeeds_when_every_fold_did()
    {
        using var dir = new TempDir();
        var (refit, m) = Refit(dir);
        var report = StudyReport.Build("st", Spec(), m, [Fold(0)], ReportInputs.Read([refit], m).Predictions);

        var finish = Assert.IsType<FinishStudy>(Finished(1).DecideReport(report));

        Assert.True(finish.Finished.Succeeded);
        Assert.Equal("complete", finish.Finished.Summary);
    }
}
