using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Study;
using Nachos.Tests;

namespace Nachos.Shared.Tests;

/// <summary>The one ensemble.csv format: what the writer writes the reader reads back; a file that is not one is named, never quoted.</summary>
public sealed class EnsembleFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    private static IReadOnlyDictionary<EnsembleRule, double> Rules(double u, double i, double m, double p) => new Dictionary<EnsembleRule, double>
    {
        [EnsembleRule.Union] = u, [EnsembleRule.Intersection] = i, [EnsembleRule.Majority] = m, [EnsembleRule.MeanProbability] = p,
    };

    [Fact]
    public void Rows_of_folds_and_of_an_external_set_round_trip()
    {
        var path = _dir.File("ensemble.csv");
        EnsembleRow[] rows =
        [
            new(0, EnsembleFile.Validation, "s0/a", EnsembleRule.Majority, Rules(0.5, 0.25, 1.0 / 3, 0.1), [0.5, 0.125, 0.75], 0.75),
            new(1, EnsembleFile.Test, "b", EnsembleRule.MeanProbability, Rules(1, 0, 0.5, 0.6), [0.9, null, null], 0.9),
            new(null, EnsembleFile.External, "x,y", EnsembleRule.Union, Rules(0.2, 0.3, 0.4, 0.5), [0.1, 0.2, 0.3], 0.3),
        ];
        EnsembleFile.Write(path, ["trial_1", "trial_2", "trial_3"], rows);
        Assert.Equal("outer_fold,set,image,chosen_rule,union,intersection,majority,mean-probability,trial_1,trial_2,trial_3,oracle",
            File.ReadLines(path).First());
        var table = EnsembleFile.Read(path);
        Assert.Equal(["trial_1", "trial_2", "trial_3"], table.Models);
        Assert.Equal(rows.Length, table.Rows.Count);
        for (var k = 0; k < rows.Length; k++)
        {
            var (a, b) = (rows[k], table.Rows[k]);
            Assert.Equal((a.Outer, a.Set, a.Image, a.Chosen, a.Oracle), (b.Outer, b.Set, b.Image, b.Chosen, b.Oracle));
            Assert.Equal(a.Rules.OrderBy(kv => kv.Key), b.Rules.OrderBy(kv => kv.Key));
            Assert.Equal(a.Models, b.Models);
        }
    }

    [Fact]
    public void A_fold_ensembles_rows_are_its_validation_then_test_images()
    {
        var truth = new Dictionary<string, bool[]> { ["a"] = [true, false] };
        var scores = EnsembleScores.Evaluate(1, 2, truth, [new Dictionary<string, double[]> { ["a"] = [0.9, 0.1] }, new Dictionary<string, double[]> { ["a"] = [0.9, 0.9] }]);
        var e = new FoldEnsemble(2, [new("s", 4), new("s", 1)], scores, EnsembleRule.Intersection, scores);
        var rows = EnsembleFile.RowsOf(e).ToList();
        Assert.Equal([EnsembleFile.Validation, EnsembleFile.Test], rows.Select(r => r.Set));
        Assert.All(rows, r => Assert.Equal((2, EnsembleRule.Intersection, 1.0, 2.0 / 3), (r.Outer!.Value, r.Chosen, r.Models[0]!.Value, r.Models[1]!.Value)));
    }

    [Fact]
    public void Several_studies_candidates_have_a_column_each_named_by_study_and_trial_empty_in_other_folds()
    {
        var truth = new Dictionary<string, bool[]> { ["a"] = [true, false] };
        var scores = EnsembleScores.Evaluate(1, 2, truth, [new Dictionary<string, double[]> { ["a"] = [0.9, 0.1] }, new Dictionary<string, double[]> { ["a"] = [0.9, 0.9] }]);
        // Fold 0 combines seg's trial 1 and wide's trial 0; fold 1 (another candidate of seg) is elsewhere in the table.
        var e = new FoldEnsemble(0, [new("seg", 1), new("wide", 0)], scores, EnsembleRule.Union, scores);
        IReadOnlyList<EnsembleCandidate> columns = [new("seg", 1), new("seg", 2), new("wide", 0)];
        var path = _dir.File("studies.csv");
        EnsembleFile.Write(path, columns.Select(EnsembleFile.CandidateColumn).ToList(), EnsembleFile.RowsOf(e, columns));
        Assert.Equal("outer_fold,set,image,chosen_rule,union,intersection,majority,mean-probability,seg_t1,seg_t2,wide_t0,oracle",
            File.ReadLines(path).First());
        var table = EnsembleFile.Read(path);
        Assert.All(table.Rows, r => Assert.Equal([1.0, null, 2.0 / 3], r.Models));
        Assert.Throws<ArgumentException>(() => EnsembleFile.RowsOf(e, [new("seg", 1)]).ToList());
    }

    [Fact]
    public void A_candidate_or_refit_column_names_back_its_candidate_or_fold_and_other_columns_name_none()
    {
        Assert.Equal(new EnsembleCandidate("seg_tx_t2", 13), EnsembleFile.CandidateOf(EnsembleFile.CandidateColumn(new("seg_tx_t2", 13))));
        Assert.Equal(4, EnsembleFile.RefitOf(EnsembleFile.RefitColumn(4)));
        Assert.Null(EnsembleFile.CandidateOf("trial_1"));
        Assert.Null(EnsembleFile.CandidateOf("_t1"));
        Assert.Null(EnsembleFile.CandidateOf("seg_t-1"));
        Assert.Null(EnsembleFile.RefitOf("refit_o"));
        Assert.Null(EnsembleFile.RefitOf("seg_t1"));
    }

    [Theory]
    [InlineData("", "no header line")]
    [InlineData("outer_fold,set,image,rule,union,intersection,majority,mean-probability,trial_1,oracle\n", "header column 4 is not 'chosen_rule'")]
    [InlineData("outer_fold,set,image,chosen_rule,union,intersection,majority,mean-probability,trial_1\n", "does not end with 'oracle'")]
    [InlineData("outer_fold,set,image,chosen_rule,union,intersection,majority,mean-probability,trial_1,oracle\n0,test,a,union,1,1,1,1,1\n", ":2: 9 fields")]
    [InlineData("outer_fold,set,image,chosen_rule,union,intersection,majority,mean-probability,trial_1,oracle\nzero,test,a,union,1,1,1,1,1,1\n", ":2: column 'outer_fold'")]
    [InlineData("outer_fold,set,image,chosen_rule,union,intersection,majority,mean-probability,trial_1,oracle\n0,train,a,union,1,1,1,1,1,1\n", ":2: column 'set'")]
    [InlineData("outer_fold,set,image,chosen_rule,union,intersection,majority,mean-probability,trial_1,oracle\n0,test,a,vote,1,1,1,1,1,1\n", ":2: column 'chosen_rule'")]
    [InlineData("outer_fold,set,image,chosen_rule,union,intersection,majority,mean-probability,trial_1,oracle\n0,test,a,union,1,SECRET,1,1,1,1\n", ":2: column 'intersection' is not a number")]
    [InlineData("outer_fold,set,image,chosen_rule,union,intersection,majority,mean-probability,trial_1,oracle\n0,test,a,union,1,1,1,1,1,\n", ":2: column 'oracle' is empty")]
    public void A_file_that_is_not_the_table_is_an_error_naming_line_and_column(string content, string message)
    {
        var path = _dir.Write("bad.csv", content);
        var e = Assert.Throws<InvalidDataException>(() => EnsembleFile.Read(path));
        Assert.Contains(message, e.Message);
        Assert.StartsWith(path, e.Message);
        Assert.DoesNotContain("SECRET", e.Message);
    }

    public void Dispose() => _dir.Dispose();
}
