using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Actors.Tests;

public sealed class LeakageGuardTests
{
    [Fact]
    public void Inner_tasks_draw_only_on_the_outer_train_set_and_the_refit_is_tested_on_the_outer_fold()
    {
        using var study = new SimulatedStudy();
        var context = study.Context(study.RunDir("run"));
        var fold = context.Plan.Outer[1];
        var inner = context.TrainingTask(TaskSpec.ForSplit("sim", 1, 0, 1, Hyperparameters.Empty, 5, 1));
        Assert.Empty(inner.Test);
        Assert.DoesNotContain(inner.Train.Concat(inner.Validation), fold.Test.Contains);
        Assert.Equal(fold.Inner[1].Validation, inner.Validation);

        var refit = context.TrainingTask(TaskSpec.Refit("sim", 1, 0, Hyperparameters.Empty, 5, 1));
        Assert.Equal(fold.Train, refit.Train);
        Assert.Empty(refit.Validation);
        Assert.Equal(fold.Test, refit.Test);
    }

    [Fact]
    public void A_plan_whose_inner_split_reaches_the_outer_test_fold_is_refused_before_training()
    {
        using var study = new SimulatedStudy();
        var plan = study.Plan;
        var fold = plan.Outer[0];
        // Tamper: move one outer-test sample into inner split 0's training set.
        var leaky = fold with { Inner = [new Split([.. fold.Inner[0].Train, fold.Test[0]], fold.Inner[0].Validation), .. fold.Inner.Skip(1)] };
        var context = study.Context(study.RunDir("run")) with { Plan = plan with { Outer = [leaky, .. plan.Outer.Skip(1)] } };
        var e = Assert.Throws<InvalidOperationException>(() => context.TrainingTask(TaskSpec.ForSplit("sim", 0, 0, 0, Hyperparameters.Empty, 5, 1)));
        Assert.Contains(fold.Test[0], e.Message);
        Assert.Contains("refusing to train", e.Message);
    }
}
