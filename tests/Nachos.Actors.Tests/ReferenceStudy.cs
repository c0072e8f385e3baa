using Nachos.Actors.Entities;
using Nachos.Shared.Search;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Actors.Tests;

/// <summary>
/// The same study computed sequentially in one thread from the domain code alone (no actors, no journal,
/// no queue): the answer the orchestration must reproduce exactly.
/// </summary>
public static class ReferenceStudy
{
    public static StudyReport Compute(StudyContext context)
    {
        var spec = context.Spec;
        var folds = new List<FoldResult>();
        for (var k = 0; k < context.Plan.Outer.Count; k++)
        {
            var sampler = Samplers.Create(spec.Search, Seeds.Derive(spec.Seed, 2, k));
            var state = FoldState.Empty.Apply(new FoldStarted(spec.Name, k, spec.Search.Trials, spec.Search.Parallelism,
                context.Plan.Outer[k].Inner.Count, spec.Training.MaxEpochs, spec.Seed, spec.Search.Metric, spec.Search.Maximise,
                spec.Execution.MaxFailedTrials));
            while (!state.Done)
            {
                var events = state.Decide(sampler);
                foreach (var e in events) state = state.Apply(e);
                if (state.Refit is not null && state.RefitOutcome is null)
                {
                    state = state.Apply(new RefitFinished(Execute(context, state.RefitTask()!)));
                    continue;
                }
                if (events.Count > 0) continue;
                foreach (var n in state.Running.ToList())
                {
                    var trial = TrialState.Empty.Apply(new TrialRequested(spec.Name, k, n, state.Started[n], state.Start!.Splits,
                        spec.Training.MaxEpochs, spec.Seed, spec.Search.Metric));
                    foreach (var task in trial.Tasks()) trial = trial.Apply(new SplitFinished(task.Inner!.Value, Execute(context, task)));
                    state = state.Apply(new TrialFinished(trial.Result()));
                }
            }
            folds.Add(state.Result());
        }
        return StudyReports.Write(StudyReports.Build(context, folds), context.RunDir);
    }

    /// <summary>Attempts as the queue makes them: up to 1 + max_retries, each a fresh draw.</summary>
    private static TaskOutcome Execute(StudyContext context, TaskSpec task)
    {
        string? error = null;
        for (var attempt = 1; attempt <= context.Spec.Execution.MaxRetries + 1; attempt++)
        {
            try
            {
                var result = SimulatedTrainer.Run(context.TrainingTask(task), context.Manifest, context.Spec.Execution.Simulated, attempt, CancellationToken.None);
                return new TaskOutcome(task.TaskId, result, null, attempt);
            }
            catch (SimulatedFailureException e)
            {
                error = $"{e.GetType().Name}: {e.Message}";
            }
        }
        // An injected failure is a crash: transient, so every attempt is made.
        return new TaskOutcome(task.TaskId, null, error, context.Spec.Execution.MaxRetries + 1, FailureKind.Crashed);
    }
}
