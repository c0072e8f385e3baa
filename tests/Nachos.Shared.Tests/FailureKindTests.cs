using Nachos.Shared.Data;
using Nachos.Shared.Metrics;
using Nachos.Shared.Spec;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

public sealed class FailureKindTests
{
    [Fact]
    public void Failures_are_classified_by_what_was_thrown()
    {
        Assert.Equal(FailureKind.Diverged, FailureKinds.Of(new TaskFailedException(FailureKind.Diverged, "loss is NaN")));
        Assert.Equal(FailureKind.DataError, FailureKinds.Of(new DataException("x.png: cannot decode")));
        Assert.Equal(FailureKind.SpecError, FailureKinds.Of(new SpecException("spec.yaml", [])));
        Assert.Equal(FailureKind.Timeout, FailureKinds.Of(new TimeoutException()));
        Assert.Equal(FailureKind.Interrupted, FailureKinds.Of(new OperationCanceledException()));
        Assert.Equal(FailureKind.OutOfMemory, FailureKinds.Of(new OutOfMemoryException()));
        Assert.Equal(FailureKind.OutOfMemory, FailureKinds.Of(new InvalidOperationException("CUDA out of memory. Tried to allocate 2.00 GiB")));
        Assert.Equal(FailureKind.Crashed, FailureKinds.Of(new InvalidOperationException("something else")));
    }

    [Fact]
    public void Only_transient_kinds_are_retried()
    {
        Assert.Equal([FailureKind.Timeout, FailureKind.Crashed, FailureKind.OutOfMemory, FailureKind.Interrupted],
            Enum.GetValues<FailureKind>().Where(k => ((FailureKind?)k).IsTransient()));
        Assert.True(((FailureKind?)null).IsTransient());
    }

    [Fact]
    public void An_evaluation_with_non_finite_outputs_fails_as_diverged_naming_the_task_the_set_and_the_count()
    {
        IReadOnlyList<IReadOnlyList<double>> p = [[0.5, 0.5], [double.NaN, double.NaN], [0.1, 0.9], [0, double.PositiveInfinity], [0.2, double.NegativeInfinity]];
        var e = Assert.Throws<TaskFailedException>(() => ClassificationMetrics.RequireFinite("s/o0/t1/s0", "validation", p));
        Assert.Equal(FailureKind.Diverged, e.Kind);
        Assert.Equal("s/o0/t1/s0: 3 of 5 outputs on the validation set are NaN or infinite", e.Message);
        ClassificationMetrics.RequireFinite("s/o0/t1/s0", "test", [[0.5, 0.5]]);
    }

    [Fact]
    public void Metrics_refuse_to_score_a_NaN_instead_of_ranking_it_lowest()
    {
        // Before: the NaN ranked lowest and was predicted negative, giving AUROC 1 and accuracy 1.
        IReadOnlyList<IReadOnlyList<int>> labels = [[0], [1], [1]];
        IReadOnlyList<IReadOnlyList<double>> p = [[double.NaN, double.NaN], [0.2, 0.8], [0.1, 0.9]];
        var e = Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute(TaskKind.Binary, labels, p));
        Assert.Contains("1 of 3 outputs are NaN or infinite", e.Message);
    }
}
