using Nachos.Shared.Proxy;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.Training.Data;
using Nachos.Training.Engine;
using Nachos.Training.Models;
using static TorchSharp.torch;

namespace Nachos.Training.Explain;

/// <summary>One case's Grad-CAM: the image as the model saw it (C×H×W in [0, 1], before normalisation) and the map (H×W in [0, 1]).</summary>
public sealed record CaseGradCam(string SampleId, int Class, float[] Image, float[] Map);

/// <summary>Grad-CAM maps of a finished classification task's final model (its folder's model.pt), on CPU.</summary>
public static class TaskGradCams
{
    /// <summary>Images per forward and backward pass: bounds the memory a dashboard page takes.</summary>
    public const int BatchSize = 16;

    /// <param name="data">Holds the images of <paramref name="cases"/>.</param>
    /// <param name="normalization">The statistics the task trained with (see <see cref="TaskModels.TrainingNormalization"/>).</param>
    /// <param name="cases">Each image with the class whose map is wanted.</param>
    public static IReadOnlyList<CaseGradCam> Compute(StudySpec spec, LoadedDataset data, TaskAddress task, string taskDirectory, Hyperparameters config,
        Normalization normalization, IReadOnlyList<(string SampleId, int Class)> cases)
    {
        var modelFile = RunLayout.ModelPath(taskDirectory);
        if (!File.Exists(modelFile)) throw new FileNotFoundException($"{modelFile}: task {task} has no final model", modelFile);
        var (modelSpec, _) = TaskModel.Of(spec, config, task);
        using var model = ModelFactory.Create(modelSpec, spec.Image, data.Manifest.Classes.Count, 0);
        model.load(modelFile);
        model.eval();
        var image = data.Image;
        var plane = image.Height * image.Width;
        var result = new List<CaseGradCam>(cases.Count);
        foreach (var batch in cases.Chunk(BatchSize))
        {
            var raw = batch.Select(c => data.Images.TryGetValue(c.SampleId, out var pixels) ? pixels
                : throw new KeyNotFoundException($"sample '{c.SampleId}' is not among the loaded images")).ToList();
            var input = new float[batch.Length * data.PixelsPerImage];
            for (var i = 0; i < batch.Length; i++)
            {
                var slot = input.AsSpan(i * data.PixelsPerImage, data.PixelsPerImage);
                raw[i].CopyTo(slot);
                normalization.ApplyInPlace(slot, plane);
            }
            using var x = tensor(input, [batch.Length, image.Channels, image.Height, image.Width]);
            var maps = GradCam.Compute(model, x, [.. batch.Select(c => c.Class)]);
            result.AddRange(batch.Select((c, i) => new CaseGradCam(c.SampleId, c.Class, raw[i], maps[i])));
        }
        return result;
    }
}
