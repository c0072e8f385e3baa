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

/// <summary>Explanations of a finished classification task's final model (its folder's model.pt), computed on CPU.</summary>
public static class TaskExplanations
{
    /// <summary>Images per pass: bounds the memory a dashboard page takes.</summary>
    public const int BatchSize = 16;

    /// <summary>The Grad-CAM of each case for its class.</summary>
    /// <param name="data">Holds the images of <paramref name="cases"/>.</param>
    /// <param name="normalization">The statistics the task trained with (see <see cref="TaskModels.TrainingNormalization"/>).</param>
    public static IReadOnlyList<CaseGradCam> GradCams(StudySpec spec, LoadedDataset data, TaskAddress task, string taskDirectory, Hyperparameters config,
        Normalization normalization, IReadOnlyList<(string SampleId, int Class)> cases)
    {
        using var model = Load(spec, data, task, taskDirectory, config);
        var result = new List<CaseGradCam>(cases.Count);
        foreach (var batch in cases.Chunk(BatchSize))
        {
            var (raw, x) = Input(data, normalization, [.. batch.Select(c => c.SampleId)]);
            using (x)
            {
                var maps = GradCam.Compute(model, x, [.. batch.Select(c => c.Class)]);
                result.AddRange(batch.Select((c, i) => new CaseGradCam(c.SampleId, c.Class, raw[i], maps[i])));
            }
        }
        return result;
    }

    /// <summary>The penultimate layer's features of each image (what the final linear layer reads), in the order of <paramref name="ids"/>.</summary>
    public static IReadOnlyList<double[]> PenultimateFeatures(StudySpec spec, LoadedDataset data, TaskAddress task, string taskDirectory, Hyperparameters config,
        Normalization normalization, IReadOnlyList<string> ids)
    {
        using var model = Load(spec, data, task, taskDirectory, config);
        var network = (IConvClassifier)model;
        var result = new List<double[]>(ids.Count);
        using var _ = no_grad();
        foreach (var batch in ids.Chunk(BatchSize))
        {
            using var scope = NewDisposeScope();
            var (_, x) = Input(data, normalization, batch);
            var features = network.Penultimate(network.LastConvActivation(x)).cpu().to_type(ScalarType.Float64);
            var width = (int)features.shape[1];
            var flat = features.data<double>().ToArray();
            for (var i = 0; i < batch.Length; i++) result.Add(flat.AsSpan(i * width, width).ToArray());
        }
        return result;
    }

    private static nn.Module<Tensor, Tensor> Load(StudySpec spec, LoadedDataset data, TaskAddress task, string taskDirectory, Hyperparameters config)
    {
        var modelFile = RunLayout.ModelPath(taskDirectory);
        if (!File.Exists(modelFile)) throw new FileNotFoundException($"{modelFile}: task {task} has no final model", modelFile);
        var (modelSpec, _) = TaskModel.Of(spec, config, task);
        var model = ModelFactory.Create(modelSpec, spec.Image, data.Manifest.Classes.Count, 0);
        try
        {
            model.load(modelFile);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The images as loaded, and normalised as one N×C×H×W tensor.</summary>
    private static (float[][] Raw, Tensor Input) Input(LoadedDataset data, Normalization normalization, IReadOnlyList<string> ids)
    {
        var image = data.Image;
        var plane = image.Height * image.Width;
        var raw = ids.Select(id => data.Images.TryGetValue(id, out var pixels) ? pixels
            : throw new KeyNotFoundException($"sample '{id}' is not among the loaded images")).ToArray();
        var input = new float[ids.Count * data.PixelsPerImage];
        for (var i = 0; i < ids.Count; i++)
        {
            var slot = input.AsSpan(i * data.PixelsPerImage, data.PixelsPerImage);
            raw[i].CopyTo(slot);
            normalization.ApplyInPlace(slot, plane);
        }
        return (raw, tensor(input, [ids.Count, image.Channels, image.Height, image.Width]));
    }
}
