using Nachos.Shared.Spec;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Proxy;

/// <summary>The one rule for which model a task trains (and which model reads its weights back).</summary>
public static class TaskModel
{
    /// <summary>
    /// <paramref name="config"/> applied to the spec's model and training sections, and for a proxied search task (a trial's
    /// inner split, of the proxy stage when there are two) the proxy network on top; a refit, a full-size stage's trial and
    /// <c>nachos train</c>'s trainings get the full model.
    /// </summary>
    public static (ModelSpec Model, TrainingSpec Training) Of(StudySpec spec, Hyperparameters config, TaskAddress? task)
    {
        var (model, training) = config.ApplyTo(spec.Model, spec.Training);
        return (task is { Trial: { } n } && spec.Search.Proxied(n) && spec.Search.Proxy?.Network is { } proxy ? proxy.Apply(model) : model, training);
    }

    public static (ModelSpec Model, TrainingSpec Training) Of(StudySpec spec, Hyperparameters config, string taskId) =>
        Of(spec, config, TaskAddress.TryParse(taskId, out var address) ? address : null);
}
