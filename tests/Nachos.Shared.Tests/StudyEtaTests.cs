using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

/// <summary>
/// The time left that <c>nachos run</c>, <c>study watch</c> and the live page show (<see cref="StudyProgressView.Eta"/>), against a
/// simulated study whose task durations are known: a constructed timeline, not a timed run.
/// </summary>
public sealed class StudyEtaTests
{
    private const int Folds = 3, Trials = 6, Splits = 3, Slots = 2, Epochs = 20;

    private sealed record Planned(TaskSpec Spec, double Seconds)
    {
        public double Start { get; set; } = double.NaN;
        public double End => Start + Seconds;
    }

    /// <summary>
    /// 3 outer folds × 6 trials × 3 inner splits + a refit per fold (57 tasks) on 2 device slots. A split takes
    /// 10 to 30 s (10 + 2 × ((7k + 5n + 3j) mod 11)), a refit 40 s; a free slot takes the first task in queue order that
    /// may start, and a fold's refit may start only once every split of its trials has ended.
    /// </summary>
    private static List<Planned> Timeline()
    {
        var hp = Hyperparameters.Empty.With("learning_rate", 0.01);
        var plan = new List<Planned>();
        for (var k = 0; k < Folds; k++)
        {
            for (var n = 0; n < Trials; n++)
                for (var j = 0; j < Splits; j++)
                    plan.Add(new Planned(TaskSpec.ForSplit("eta", k, n, j, hp, Epochs, 1), 10 + 2 * ((7 * k + 5 * n + 3 * j) % 11)));
            plan.Add(new Planned(TaskSpec.Refit("eta", k, 0, hp, Epochs, 1), 40));
        }
        var slotFree = new double[Slots];
        while (plan.Any(t => double.IsNaN(t.Start)))
        {
            var slot = Array.IndexOf(slotFree, slotFree.Min());
            var now = slotFree[slot];
            var next = plan.FirstOrDefault(t => double.IsNaN(t.Start) && MayStart(plan, t, now));
            if (next is null)
            {
                // Only a refit waits: the slot idles until the next task ends.
                slotFree[slot] = plan.Where(t => !double.IsNaN(t.Start) && t.End > now).Min(t => t.End);
                continue;
            }
            next.Start = now;
            slotFree[slot] = next.End;
        }
        return plan;
    }

    private static bool MayStart(IEnumerable<Planned> plan, Planned task, double now) =>
        !task.Spec.IsRefit || plan.Where(t => t.Spec.Outer == task.Spec.Outer && !t.Spec.IsRefit).All(t => !double.IsNaN(t.Start) && t.End <= now);

    /// <summary>The queue's view at <paramref name="now"/>: tasks ended with their measured seconds, running ones with their latest finished epoch.</summary>
    private static IReadOnlyList<TaskView> At(IReadOnlyList<Planned> plan, double now)
    {
        var state = plan.Aggregate(QueueState.Empty, (s, t) => s.Apply(new TaskQueued(t.Spec, 0)));
        foreach (var t in plan.Where(t => t.End <= now))
            state = state.Apply(new TaskCompleted(new TaskOutcome(t.Spec.TaskId,
                new TrainingResult(t.Spec.TaskId, Epochs, Epochs, 0.5, new Dictionary<string, double?>(), new Dictionary<string, double?>(), "h.csv", "p.csv", t.Seconds, "cpu0"), null, 1)));
        var running = plan.Where(t => t.Start <= now && now < t.End).ToList();
        var epochs = running.Select(t => (t.Spec.TaskId, Epoch: (int)Math.Floor((now - t.Start) / t.Seconds * Epochs)))
            .Where(r => r.Epoch > 0).ToDictionary(r => r.TaskId, r => new EpochProgress(r.Epoch, Epochs, 0.5, 0.5, "val_loss", 0.5, 1));
        return state.TasksOf("eta", running.Select(t => t.Spec.TaskId).ToHashSet(), epochs);
    }

    [Fact]
    public void At_half_the_tasks_the_estimate_is_within_20_percent_of_the_time_actually_left()
    {
        var plan = Timeline();
        var finish = plan.Max(t => t.End);
        // The moment the 29th of 57 tasks ends; the slot it frees takes the next task at once.
        var half = plan.Select(t => t.End).Order().ElementAt((plan.Count + 1) / 2 - 1);
        var progress = StudyProgressView.Of(At(plan, half), Trials, Enumerable.Repeat(Splits, Folds).ToList());

        // The timeline as computed beforehand (an independent simulation in Python): 624 s in all, half ended at 304 s.
        Assert.Equal((57, 624.0, 304.0), (plan.Count, finish, half));
        Assert.Equal((29, 2), (progress.TasksEnded, progress.Running.Count));
        var eta = progress.Eta(Slots)!.Value.TotalSeconds;
        var left = finish - half;
        Assert.True(Math.Abs(eta - left) <= 0.2 * left, $"estimated {eta:0.#} s left at half, actually {left} s");
        // Of one slot's view the same work would take twice as long: the estimate counts the slots.
        Assert.False(Math.Abs(progress.Eta(1)!.Value.TotalSeconds - left) <= 0.2 * left);
    }
}
