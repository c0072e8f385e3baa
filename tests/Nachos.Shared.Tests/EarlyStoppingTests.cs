using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

public sealed class EarlyStoppingTests
{
    private static EarlyStopping Run(string monitor, double minDelta, params double?[] values)
    {
        var s = EarlyStopping.Start;
        for (var epoch = 0; epoch < values.Length; epoch++) s = s.Observe(epoch, values[epoch], monitor, minDelta);
        return s;
    }

    [Fact]
    public void Validation_loss_is_minimised()
    {
        var s = Run("val_loss", 0, 1.0, 0.8, 0.9, 0.85);
        Assert.Equal(0.8, s.Best);
        Assert.Equal(1, s.BestEpoch);
        Assert.Equal(2, s.BadEpochs);
        Assert.True(EarlyStopping.Minimises("val_loss"));
    }

    [Fact]
    public void Other_monitors_are_maximised()
    {
        var s = Run("val_auroc", 0, 0.6, 0.7, 0.65, 0.75, 0.74);
        Assert.Equal(0.75, s.Best);
        Assert.Equal(3, s.BestEpoch);
        Assert.Equal(1, s.BadEpochs);
        Assert.False(EarlyStopping.Minimises("val_auroc"));
    }

    [Fact]
    public void An_improvement_resets_the_bad_epoch_count()
    {
        var s = Run("val_loss", 0, 1.0, 1.1, 1.2, 0.5);
        Assert.Equal(0, s.BadEpochs);
        Assert.Equal(3, s.BestEpoch);
    }

    [Fact]
    public void Improvement_must_beat_the_best_by_more_than_min_delta()
    {
        // Binary-exact numbers so "equal to min_delta" is exactly equal.
        var exactly = Run("val_auroc", 0.25, 0.5, 0.75);
        Assert.Equal(0.5, exactly.Best);
        Assert.Equal(1, exactly.BadEpochs);
        var more = Run("val_auroc", 0.25, 0.5, 0.875);
        Assert.Equal(0.875, more.Best);
        var lossExactly = Run("val_loss", 0.25, 1.0, 0.75);
        Assert.Equal(1.0, lossExactly.Best);
        var lossMore = Run("val_loss", 0.25, 1.0, 0.5);
        Assert.Equal(0.5, lossMore.Best);
    }

    [Fact]
    public void An_equal_value_is_not_an_improvement()
    {
        var s = Run("val_loss", 0, 0.5, 0.5);
        Assert.Equal(0, s.BestEpoch);
        Assert.Equal(1, s.BadEpochs);
    }

    [Fact]
    public void An_undefined_value_never_improves_even_first()
    {
        var s = Run("val_auroc", 0, null, null);
        Assert.Null(s.Best);
        Assert.Equal(-1, s.BestEpoch);
        Assert.Equal(2, s.BadEpochs);
        s = s.Observe(2, 0.1, "val_auroc", 0);
        Assert.Equal(0.1, s.Best);
        Assert.Equal(2, s.BestEpoch);
        Assert.Equal(0, s.BadEpochs);
        s = s.Observe(3, null, "val_auroc", 0);
        Assert.Equal(0.1, s.Best);
        Assert.Equal(1, s.BadEpochs);
    }

    [Fact]
    public void Stops_once_bad_epochs_reach_the_patience()
    {
        var s = Run("val_loss", 0, 1.0, 1.1, 1.2);
        Assert.False(s.ShouldStop(3));
        Assert.True(s.ShouldStop(2));
        Assert.True(s.Observe(3, 1.3, "val_loss", 0).ShouldStop(3));
        Assert.False(EarlyStopping.Start.ShouldStop(1));
    }

    [Fact]
    public void Observe_does_not_change_the_previous_state()
    {
        var before = Run("val_loss", 0, 1.0);
        _ = before.Observe(1, 2.0, "val_loss", 0);
        Assert.Equal(0, before.BadEpochs);
    }
}
