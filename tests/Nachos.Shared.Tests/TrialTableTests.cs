using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

public sealed class TrialTableTests
{
    private static TrialRow Row(int outer, int trial, double? score, double? loss = null, string state = TaskStates.Succeeded) =>
        new(outer, trial, Hyperparameters.Empty.With("learning_rate", 0.001 * (trial + 1)).With("optimizer", trial % 2 == 0 ? "adam" : "sgd"), 2, 2, state,
            score, score is null ? null : 0.01, score is null ? null : 3, new Dictionary<string, double?> { [TrialRows.Loss] = loss },
            state == TaskStates.Failed ? "s/o0/t9/s0: out_of_memory: CUDA" : null);

    private static IReadOnlyList<TrialRow> Rows() =>
    [
        Row(0, 0, 0.7, 0.5), Row(0, 1, 0.9, 0.2), Row(0, 2, 0.7, 0.4), Row(0, 3, null, state: TaskStates.Failed), Row(0, 4, 0.6, 0.1),
        Row(1, 0, 0.5, 0.6), Row(1, 1, null, state: TaskStates.Running), Row(1, 2, 0.8, 0.3),
    ];

    [Fact]
    public void Trials_are_ranked_within_their_fold_ties_share_a_rank_and_trials_without_a_value_have_none()
    {
        var ranks = TrialRows.Rank(Rows(), TrialRows.Score, maximiseScore: true);

        // Fold 0: 0.9 first, the two 0.7s share 2, then 0.6 is 4 (not 3); the failed trial has no rank.
        Assert.Equal([1, 2, 2, 4, null], new[] { 1, 0, 2, 4, 3 }.Select(t => ranks[(0, t)]));
        // Fold 1 ranks from 1 again, whatever fold 0 holds.
        Assert.Equal([1, 2, null], new[] { 2, 0, 1 }.Select(t => ranks[(1, t)]));
    }

    [Fact]
    public void A_minimised_score_and_the_loss_rank_the_lowest_first()
    {
        var byMinimisedScore = TrialRows.Rank(Rows(), TrialRows.Score, maximiseScore: false);
        Assert.Equal([1, 2, 2, 4, null], new[] { 4, 0, 2, 1, 3 }.Select(t => byMinimisedScore[(0, t)]));

        var byLoss = TrialRows.Rank(Rows(), TrialRows.Loss, maximiseScore: true); // the loss is lowest first whatever the search's direction
        Assert.Equal([1, 2, 3, 4, null], new[] { 4, 1, 2, 0, 3 }.Select(t => byLoss[(0, t)]));

        var hd95 = new TrialTable("s", "hd95", TrialRows.Score, []);
        Assert.True(hd95.LowestFirst);
        Assert.Equal("inner validation hd95, lowest first", hd95.RankedBy);
        Assert.Equal("inner validation dice, highest first", new TrialTable("s", "dice", TrialRows.Score, []).RankedBy);
    }

    private static TrialTable Table()
    {
        var rows = Rows();
        var ranks = TrialRows.Rank(rows, TrialRows.Score, maximiseScore: true);
        return TrialTable.Of("s", "auroc", TrialRows.Score, rows.Select(r => new TrialTableRow(r.Outer, ranks[(r.Outer, r.Trial)], r.Trial, r.Trial == 1 && r.Outer == 0,
            r.State, r.SplitsEnded, r.Splits, r.Score, r.StandardError, r.Metrics.GetValueOrDefault(TrialRows.Loss), r.MeanBestEpoch, r.Config!.Values, r.Failure,
            r.State == TaskStates.Failed ? "out_of_memory" : null)));
    }

    [Fact]
    public void The_csv_has_a_row_per_trial_by_fold_and_rank_and_a_column_per_hyperparameter()
    {
        using var reader = new CsvReader(new StringReader(Table().Csv()), CultureInfo.InvariantCulture);
        reader.Read();
        reader.ReadHeader();
        Assert.Equal(["fold", "rank_by_inner_auroc", "trial", "chosen", "state", "splits_ended", "splits", "inner_auroc", "inner_auroc_se", "inner_loss", "mean_best_epoch",
            "learning_rate", "optimizer", "failure_kind", "failure"], reader.HeaderRecord!);
        var rows = new List<(string Fold, string Rank, string Trial, string Lr, string Kind)>();
        while (reader.Read())
            rows.Add((reader.GetField("fold")!, reader.GetField("rank_by_inner_auroc")!, reader.GetField("trial")!, reader.GetField("learning_rate")!, reader.GetField("failure_kind")!));
        Assert.Equal([("0", "1", "1", "0.002", ""), ("0", "2", "0", "0.001", ""), ("0", "2", "2", "0.003", ""), ("0", "4", "4", "0.005", ""), ("0", "", "3", "0.004", "out_of_memory"),
            ("1", "1", "2", "0.003", ""), ("1", "2", "0", "0.001", ""), ("1", "", "1", "0.002", "")], rows);
    }

    [Fact]
    public void The_json_has_numeric_hyperparameters_as_numbers_and_categorical_ones_as_strings()
    {
        using var json = JsonDocument.Parse(Table().Json());
        var root = json.RootElement;
        Assert.Equal("inner_auroc", root.GetProperty("rank_by").GetString());
        var first = root.GetProperty("trials")[0];
        Assert.Equal((0, 1, 1, true), (first.GetProperty("fold").GetInt32(), first.GetProperty("rank").GetInt32(), first.GetProperty("trial").GetInt32(), first.GetProperty("chosen").GetBoolean()));
        Assert.Equal(0.9, first.GetProperty("inner_auroc").GetDouble());
        var hp = first.GetProperty("hyperparameters");
        Assert.Equal(JsonValueKind.Number, hp.GetProperty("learning_rate").ValueKind);
        Assert.Equal(0.002, hp.GetProperty("learning_rate").GetDouble());
        Assert.Equal("sgd", hp.GetProperty("optimizer").GetString());
        var failed = root.GetProperty("trials")[4];
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("rank").ValueKind);
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("inner_auroc").ValueKind);
        Assert.Equal("out_of_memory", failed.GetProperty("failure_kind").GetString());
    }

    [Fact]
    public void A_hyperparameter_with_one_value_that_is_not_a_number_is_text_in_every_row()
    {
        var table = TrialTable.Of("s", "auroc", TrialRows.Score,
            [new TrialTableRow(0, 1, 0, false, TaskStates.Succeeded, 1, 1, 0.5, null, null, 1, new Dictionary<string, string> { ["width"] = "1" }, null),
             new TrialTableRow(0, 2, 1, false, TaskStates.Succeeded, 1, 1, 0.4, null, null, 1, new Dictionary<string, string> { ["width"] = "wide" }, null)]);
        Assert.False(table.IsNumeric("width"));
        using var json = JsonDocument.Parse(table.Json());
        Assert.Equal("1", json.RootElement.GetProperty("trials")[0].GetProperty("hyperparameters").GetProperty("width").GetString());
    }
}
