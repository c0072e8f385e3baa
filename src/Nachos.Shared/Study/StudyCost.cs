using Nachos.Shared.Tasks;

namespace Nachos.Shared.Study;

/// <summary>What one stage of a study cost: the device-seconds of its succeeded tasks (their trainer's clock, last attempt) and the epochs they trained.</summary>
public sealed record StageCost(string Stage, double DeviceSeconds, int Epochs, int Tasks);

/// <summary>
/// What the scheduler saved, estimated: each stopped training would have run as many epochs as the fold's trainings that
/// ran to the end did on average, at the inner search's measured seconds per epoch.
/// </summary>
public sealed record SchedulerSaving(int StoppedTrainings, int EpochsSaved, double DeviceSecondsSaved, double Share);

/// <summary>A study's cost by stage (inner search, refits, the deploy fold's search and final model) and what the scheduler saved.</summary>
public sealed record StudyCost(double DeviceSeconds, int Epochs, int Tasks, IReadOnlyList<StageCost> Stages, SchedulerSaving? Saved)
{
    public const string InnerSearch = "inner search";
    public const string ProxySearch = "proxy search";
    public const string FullSizeStage = "full-size stage";
    public const string Refits = "refits";
    public const string StressTests = "stress tests";
    public const string DeploySearch = "deploy search";
    public const string FinalModel = "final model";

    /// <param name="deployFold">The deploy fold's index (its stages are counted apart), or null without one.</param>
    /// <param name="search">With a proxy, the inner search is the proxy search and, with two stages, the full-size stage after it.</param>
    public static StudyCost Of(IReadOnlyList<TaskView> tasks, int? deployFold, Spec.SearchSpec? search = null)
    {
        var done = tasks.Where(t => t.State == TaskStates.Succeeded && t.Scores is not null)
            .Select(t => (Task: t, Address: TaskAddress.TryParse(t.TaskId, out var a) ? a : null))
            .Where(d => d.Address is not null).Select(d => (d.Task, Address: d.Address!)).ToList();
        string Search(TaskAddress a) => search?.Proxy is null || a.Trial is not { } n ? InnerSearch : search.Proxied(n) ? ProxySearch : FullSizeStage;
        string StageOf(TaskAddress a) => a.IsStress ? StressTests : a.Outer == deployFold ? (a.IsRefit ? FinalModel : DeploySearch) : a.IsRefit ? Refits : Search(a);
        // A training's epochs are its latest task's (rungs continue one another); its seconds are every task's.
        var trainings = done.GroupBy(d => d.Address.Training.ToString())
            .Select(g => (Address: g.First().Address.Training, Latest: g.MaxBy(d => d.Address.Budget ?? int.MaxValue).Address,
                Epochs: g.Max(d => d.Task.Scores!.EpochsRun), Seconds: g.Sum(d => d.Task.Seconds ?? 0), Tasks: g.Count()))
            .ToList();
        var stages = trainings.GroupBy(t => StageOf(t.Address))
            .OrderBy(g => Array.IndexOf([InnerSearch, ProxySearch, FullSizeStage, Refits, StressTests, DeploySearch, FinalModel], g.Key))
            .Select(g => new StageCost(g.Key, g.Sum(t => t.Seconds), g.Sum(t => t.Epochs), g.Sum(t => t.Tasks)))
            .ToList();

        SchedulerSaving? saved = null;
        var inner = trainings.Where(t => !t.Address.IsRefit && !t.Address.IsStress).ToList();
        var stopped = inner.Where(t => t.Latest.Budget is not null).ToList();
        if (stopped.Count > 0)
        {
            var epochs = 0.0;
            foreach (var fold in stopped.GroupBy(t => t.Address.Outer))
            {
                var full = inner.Where(t => t.Address.Outer == fold.Key && t.Latest.Budget is null).ToList();
                if (full.Count == 0) continue;
                var expected = full.Average(t => (double)t.Epochs);
                epochs += fold.Sum(t => Math.Max(0, expected - t.Epochs));
            }
            var innerEpochs = inner.Sum(t => t.Epochs);
            var perEpoch = innerEpochs > 0 ? inner.Sum(t => t.Seconds) / innerEpochs : 0;
            var seconds = epochs * perEpoch;
            var spent = inner.Sum(t => t.Seconds);
            saved = new SchedulerSaving(stopped.Count, (int)Math.Round(epochs), seconds, spent + seconds > 0 ? seconds / (spent + seconds) : 0);
        }
        return new StudyCost(stages.Sum(s => s.DeviceSeconds), stages.Sum(s => s.Epochs), stages.Sum(s => s.Tasks), stages, saved);
    }

    /// <summary>One line for people: "412.3 device-seconds, 1,204 epochs in 96 tasks (inner search 380.1 s, refits 32.2 s); the scheduler saved about 61 % (...)".</summary>
    public string Text() =>
        FormattableString.Invariant($"{DeviceSeconds:N1} device-seconds, {Epochs:N0} epochs in {Tasks:N0} tasks ({string.Join(", ", Stages.Select(s => FormattableString.Invariant($"{s.Stage} {s.DeviceSeconds:N1} s")))})")
        + (Saved is { } v ? FormattableString.Invariant($"; the scheduler stopped {v.StoppedTrainings} trainings early and saved about {v.Share:P0} of the inner search ({v.EpochsSaved:N0} epochs, {v.DeviceSecondsSaved:N1} device-seconds, estimated)") : "");
}
