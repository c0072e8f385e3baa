using Nachos.Shared.Study;

namespace Nachos.Shared.Tests;

public sealed class TrialAggregateTests
{
    [Fact]
    public void A_trial_scores_the_mean_of_its_splits_with_its_standard_error_only_when_every_split_defines_it()
    {
        var (score, undefined) = TrialAggregate.Score([0.7, 0.9], "auroc");
        Assert.Null(undefined);
        Assert.Equal(0.8, score!.Mean, 12);
        Assert.Equal(0.1, score.StandardError!.Value, 12); // sd 0.1414…/√2

        var (none, why) = TrialAggregate.Score([0.7, null], "auroc");
        Assert.Null(none);
        Assert.Equal("validation auroc is undefined on an inner split", why);
    }

    [Fact]
    public void Other_metrics_average_the_splits_that_define_them()
    {
        Assert.Equal(0.5, TrialAggregate.MeanOfDefined([0.4, null, 0.6]));
        Assert.Null(TrialAggregate.MeanOfDefined([null, null]));
        Assert.Null(TrialAggregate.MeanOfDefined([]));
    }
}
