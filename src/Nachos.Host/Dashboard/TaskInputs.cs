using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.Shared.TaskProcess;
using Nachos.Training.Data;
using Nachos.Training.Engine;

namespace Nachos.Host.Dashboard;

/// <summary>What explaining a finished task's model needs from the run directory: the images, the configuration and the normalisation it trained with.</summary>
public static class TaskInputs
{
    public static (LoadedDataset Data, Hyperparameters Config, Normalization Normalization) Of(StudyRun run, ModelEvaluation model, IEnumerable<string> ids)
    {
        var spec = run.Spec;
        var cache = RunLayout.ImageCacheDirectory(run.Directory);
        var data = DatasetLoader.Load(spec, ids, cache);
        var taskFile = RunLayout.TaskFilePath(model.Folder);
        var config = run.Config(model.Key) ?? ChildTaskFile.Read(taskFile).Hyperparameters;
        var norm = TaskModels.TrainingNormalization(model.Folder, () =>
        {
            // The checkpoint kept no statistics: recompute them from the task's training set, as it did.
            var task = TrainingTasks.Resolve(SplitPlan.Read(RunLayout.SplitsPath(run.Directory)), ChildTaskFile.Read(taskFile), run.Directory, spec.Search);
            return Normalization.FromTraining(DatasetLoader.Load(spec, task.Train, cache), task.Train);
        });
        return (data, config, norm);
    }
}
