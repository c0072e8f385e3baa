using Nachos.Actors.Entities;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Actors.Tests;

/// <summary>
/// The same study computed sequentially in one thread by the domain driver the entities use (StudyState, FoldState,
/// TrialState: their Decide and Accept), without actors, journal or queue: the answer the orchestration must reproduce
/// exactly.
/// </summary>
public static class ReferenceStudy
{
    public static StudyReport Compute(StudyContext context)
    {
        var id = context.Spec.Name;
        var study = StudyState.Empty.Apply(new StudyStarted(id, context.Plan.Outer.Count, context.Brief));
        while (study.Decide() is StartFolds start)
            foreach (var f in start.Folds) study = study.Apply(study.Accept(Fold(context, f))!);
        while (true)
        {
            var (report, decision) = StudyReports.Attempt(new SingleStudyCatalog(context), id, study.Folds.Values.ToList(), study);
            if (decision is RetryReport retry) study = study.Apply(retry.Failed);
            else return report;
        }
    }

    private static FoldResult Fold(StudyContext context, FoldStarted start)
    {
        var fold = FoldState.Empty.Apply(start);
        var sampler = fold.Sampler();
        while (!fold.Done)
        {
            var events = fold.Decide(sampler);
            foreach (var e in events) fold = fold.Apply(e);
            if (fold.RefitTask() is { } refit && fold.RefitOutcome is null)
            {
                fold = fold.Apply(fold.AcceptRefit(Execute(context, refit))!);
                continue;
            }
            if (events.Count > 0) continue;
            // Under a scheduler, a trial waiting at a rung for its verdict is not run again.
            foreach (var n in fold.Running.Where(n => !fold.RungResults.ContainsKey((n, fold.RungOf(n)))).ToList())
                fold = fold.Apply(fold.Accept(Trial(context, fold.TrialRequest(n)))!);
        }
        return fold.Result();
    }

    private static TrialResult Trial(StudyContext context, TrialRequested request)
    {
        var trial = TrialState.Empty.Apply(request);
        while (trial.Decide() is SubmitSplits submit)
            foreach (var task in submit.Tasks) trial = trial.Apply(trial.Accept(Execute(context, task))!);
        return ((ReportTrial)trial.Decide()).Result;
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
