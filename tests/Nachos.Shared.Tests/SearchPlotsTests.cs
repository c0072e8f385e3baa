using System.Collections.Immutable;
using Nachos.Shared.Spec;
using Nachos.Shared.Statistics;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

/// <summary>The search plots' data: best so far, axis scales, score range and the importance values against SciPy and scikit-learn.</summary>
public sealed class SearchPlotsTests
{
    private static readonly double[] LearningRates = [0.001, 0.01, 0.0003, 0.05, 0.01, 0.002, 0.0001];
    private static readonly double[] Scores = [0.81, 0.84, 0.78, 0.70, 0.86, 0.84, 0.75];
    private static readonly string[] Optimizers = ["adam", "sgd", "adam", "rmsprop", "sgd", "adam", "sgd"];

    [Fact]
    public void Spearman_rho_is_scipys_with_ties_on_both_sides()
    {
        // scipy 1.10.1: spearmanr(LearningRates, Scores).statistic
        Assert.Equal(0.20909090909090908, Association.Spearman(LearningRates, Scores)!.Value, 12);
        // spearmanr([16, 32, 64, 128, 32, 256, 8, 64], [0.62, 0.70, 0.69, 0.74, 0.66, 0.73, 0.60, 0.71]).statistic
        Assert.Equal(0.9157291161525718, Association.Spearman([16, 32, 64, 128, 32, 256, 8, 64], [0.62, 0.70, 0.69, 0.74, 0.66, 0.73, 0.60, 0.71])!.Value, 12);
    }

    [Fact]
    public void The_correlation_ratio_is_the_share_of_variance_between_groups_as_anova_and_r2_of_the_group_means_give_it()
    {
        // Σ n_g (ȳ_g − ȳ)² / Σ (y − ȳ)² in NumPy; also F(k−1)/(F(k−1)+n−k) from scipy.stats.f_oneway and
        // sklearn.metrics.r2_score(y, group means): 0.5610226724553791.
        Assert.Equal(0.5610226724553798, Association.CorrelationRatio(Optimizers, Scores)!.Value, 12);
    }

    [Fact]
    public void Importance_is_undefined_with_fewer_than_three_trials_a_constant_parameter_or_constant_scores()
    {
        Assert.Null(Association.Spearman([1, 2], [0.5, 0.6]));
        Assert.Null(Association.Spearman([1, 1, 1], [0.5, 0.6, 0.7]));
        Assert.Null(Association.Spearman([1, 2, 3], [0.5, 0.5, 0.5]));
        Assert.Null(Association.CorrelationRatio(["a", "a", "a"], [0.5, 0.6, 0.7]));
        Assert.Null(Association.CorrelationRatio(["a", "b", "a"], [0.5, 0.5, 0.5]));
    }

    [Fact]
    public void A_fold_search_has_its_trials_by_number_the_best_so_far_and_the_squared_importances()
    {
        var trials = LearningRates.Select((lr, i) => Trial(i, Scores[i], ("learning_rate", lr.ToString("R", System.Globalization.CultureInfo.InvariantCulture)), ("optimizer", Optimizers[i])))
            .Append(new TrialResult(7, Config(("learning_rate", "0.02"), ("optimizer", "adam")), null, null, 0, [null, null], "every inner split failed"))
            .Reverse().ToList();
        var fold = new FoldResult(2, 4, trials.Single(t => t.Trial == 4).Config, 0.86, 0.01, 5, new Dictionary<string, double?>(), trials, null);

        var search = SearchPlots.Fold(fold, false, Search(true));

        Assert.Equal(Enumerable.Range(0, 8), search.Points.Select(p => p.Trial));
        Assert.Equal([false, false, false, false, true, false, false, false], search.Points.Select(p => p.Chosen));
        Assert.Null(search.Points[7].Score);
        Assert.Equal("every inner split failed", search.Points[7].Failure);
        Assert.Equal([0.81, 0.84, 0.84, 0.84, 0.86, 0.86, 0.86, 0.86], search.BestSoFar);
        Assert.Equal(["learning_rate", "optimizer"], search.Parameters.Select(p => p.Name));
        Assert.Equal(ParameterScale.Log, search.Parameters[0].Scale);
        Assert.Equal(["adam", "sgd", "rmsprop"], search.Parameters[1].Categories); // the spec's order
        Assert.Equal(SearchPlots.SpearmanMethod, search.Importance[0].Method);
        Assert.Equal(0.0437190082644628, search.Importance[0].Value!.Value, 12); // the failed trial is not counted
        Assert.Equal(7, search.Importance[0].Trials);
        Assert.Equal(SearchPlots.EtaMethod, search.Importance[1].Method);
        Assert.Equal(0.5610226724553798, search.Importance[1].Value!.Value, 12);
    }

    [Fact]
    public void Best_so_far_follows_the_direction_of_the_metric_and_waits_for_the_first_score()
    {
        var points = new double?[] { null, 0.5, 0.7, 0.4, null, 0.6 }.Select((s, i) => new SearchPoint(i, Hyperparameters.Empty, s, false, s is null ? "failed" : null)).ToList();
        Assert.Equal([null, 0.5, 0.7, 0.7, 0.7, 0.7], SearchPlots.BestSoFar(points, maximise: true));
        Assert.Equal([null, 0.5, 0.5, 0.4, 0.4, 0.4], SearchPlots.BestSoFar(points, maximise: false));
    }

    [Theory]
    [InlineData(ParamKind.LogUniform, ParameterScale.Log)]
    [InlineData(ParamKind.PowerOfTwo, ParameterScale.Log)]
    [InlineData(ParamKind.Uniform, ParameterScale.Linear)]
    [InlineData(ParamKind.Int, ParameterScale.Linear)]
    [InlineData(ParamKind.Categorical, ParameterScale.Categorical)]
    public void The_axis_scale_is_the_search_spaces(ParamKind kind, ParameterScale scale)
    {
        var spec = new ParamSpec("p", kind, 1, 64, kind == ParamKind.Categorical ? ["8", "16", "2"] : [], new Dictionary<string, string>());
        var axis = SearchPlots.Parameter("p", spec, ["16", "2", "8", "16"]);
        Assert.Equal(scale, axis.Scale);
        if (scale == ParameterScale.Categorical) Assert.Equal(["8", "16", "2"], axis.Categories);
    }

    [Fact]
    public void A_value_that_has_no_place_on_a_numeric_axis_makes_it_categorical()
    {
        Assert.Equal(ParameterScale.Categorical, SearchPlots.Parameter("p", new ParamSpec("p", ParamKind.LogUniform, 1, 2, [], new Dictionary<string, string>()), ["1", "0"]).Scale);
        Assert.Equal(ParameterScale.Linear, SearchPlots.Parameter("q", null, ["1", "-3.5"]).Scale);
        Assert.Equal(["a", "b"], SearchPlots.Parameter("q", null, ["b", "a", "b"]).Categories);
    }

    [Fact]
    public void The_score_axis_stays_within_the_metrics_range()
    {
        var near = SearchPlots.ScoreRange("auroc", [0.5, 0.999]);
        Assert.Equal(0.5 - 0.05 * 0.499, near.Low, 12);
        Assert.Equal(1.0, near.High); // not past the best AUROC there is
        var (low, high) = SearchPlots.ScoreRange("auroc", [0.7, 0.8]);
        Assert.Equal(0.69, low, 12);
        Assert.Equal(0.81, high, 12);
        Assert.Equal((0, 1), SearchPlots.ScoreRange("auroc", []));
        var loss = SearchPlots.ScoreRange("loss", [0.002, 2.5]);
        Assert.Equal(0, loss.Low);
        Assert.True(loss.High > 2.5);
    }

    private static SearchSpec Search(bool maximise) => new(SamplerKind.Random, 8, 1, maximise ? "auroc" : "loss",
    [
        new ParamSpec("learning_rate", ParamKind.LogUniform, 0.00001, 0.1, [], new Dictionary<string, string>()),
        new ParamSpec("optimizer", ParamKind.Categorical, 0, 0, ["adam", "sgd", "rmsprop"], new Dictionary<string, string>()),
    ], 3);

    private static TrialResult Trial(int n, double score, params (string, string)[] values) => new(n, Config(values), score, 0.01, 4, [score, score], null);

    private static Hyperparameters Config(params (string Name, string Value)[] values) =>
        new(values.ToImmutableSortedDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal));
}
