using Nachos.Shared.Bundle;
using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Training.Data;
using Nachos.Training.Engine;
using Nachos.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Nachos.Training.Bundle;

/// <summary>
/// A bundle's network rebuilt by the model factory, its weights loaded, ready to predict on a device: images go through
/// the training's own pipeline (<see cref="BatchPipeline"/>, <see cref="Normalization"/>, <see cref="Trainer.BatchTensor"/>)
/// and outputs through the training's own activations, batch by batch as the study's evaluation batched them.
/// </summary>
public sealed class BundledModel : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly Device _device;

    private BundledModel(BundleManifest manifest, nn.Module<Tensor, Tensor> model, Device device)
    {
        (Manifest, _model, _device) = (manifest, model, device);
        var p = manifest.Preprocessing!;
        Image = new ImageSpec(p.Height, p.Width, p.Channels, p.MaxPixels);
        Normalization = new Normalization([.. p.Mean], [.. p.Std]);
        Task = SpecNames.Tasks[manifest.Task];
    }

    public BundleManifest Manifest { get; }
    public ImageSpec Image { get; }
    public Normalization Normalization { get; }
    public TaskKind Task { get; }

    /// <summary>Per image, the probabilities the network outputs: per class (image tasks) or per channel and pixel (segmentation).</summary>
    public int OutputsPerImage => Task == TaskKind.Segmentation ? Manifest.Network!.Outputs * Image.Height * Image.Width : Manifest.Network!.Outputs;

    /// <param name="device">A TorchSharp device: <c>cpu</c> or <c>cuda:N</c>.</param>
    /// <exception cref="Shared.Bundle.BundleException">The weights do not fit the network bundle.json describes.</exception>
    public static BundledModel Load(LoadedBundle bundle, string device)
    {
        var m = bundle.Manifest;
        if (m.Network is not { } n || m.Preprocessing is not { } p)
            throw new BundleException($"{bundle.Location}: a fold ensemble has no network of its own; load each of its members");
        var image = new ImageSpec(p.Height, p.Width, p.Channels, p.MaxPixels);
        if (!SpecNames.Architectures.TryGetValue(n.Architecture, out var architecture))
            throw new BundleException($"{bundle.Location}: bundle.json key 'network.architecture' names no architecture this nachos knows ('{n.Architecture}')");
        nn.Module<Tensor, Tensor> model;
        try
        {
            model = architecture == Architecture.UNet
                ? ModelFactory.CreateUNet(image, n.Outputs, n.Depth, n.Width, n.Residual, seed: null)
                : ModelFactory.Create(new ModelSpec(architecture, n.Width, null, n.Depth, n.Residual), image, n.Outputs, seed: null);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new BundleException($"{bundle.Location}: bundle.json key 'network' describes no network that can be built ({e.Message})");
        }
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bundle.Weights));
            model.load(reader, strict: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            model.Dispose();
            throw new BundleException($"{bundle.Location}: {BundleLayout.Weights} does not fit the network of bundle.json key 'network' ({n.Architecture}, width {n.Width}, {n.Outputs} outputs)");
        }
        var dev = torch.device(device);
        model.to(dev);
        model.eval();
        return new BundledModel(m, model, dev);
    }

    /// <summary>
    /// The probabilities of <paramref name="ids"/> of <paramref name="data"/>, one batch at a time (its ids and
    /// <see cref="OutputsPerImage"/> values per image), in the order of <paramref name="ids"/>.
    /// </summary>
    public IEnumerable<(IReadOnlyList<string> Ids, float[] Probabilities)> Predict(LoadedDataset data, IReadOnlyList<string> ids)
    {
        using var pipeline = new BatchPipeline(data, ids, Normalization, Manifest.Preprocessing!.BatchSize, null, 0, 0, shuffle: false,
            prefetch: BatchPipeline.PrefetchFor(_device));
        foreach (var batch in pipeline.Read()) yield return Predict(pipeline, batch);
    }

    /// <summary>
    /// The probabilities of every image of <paramref name="manifest"/>, in its order, one batch at a time as
    /// <see cref="Predict(LoadedDataset, IReadOnlyList{string})"/> gives them (the same values). Each batch's images are read
    /// from their files (<see cref="DatasetLoader.LoadImage"/>) on all cores just before the batch runs, not beside it: on
    /// two cores a decoding thread running with libtorch's stalls each parallel kernel on its pre-empted thread. Only
    /// one batch's images are held in memory.
    /// </summary>
    /// <exception cref="DataException">An image cannot be read, or is of another channel count than the model's: the
    /// error <see cref="DatasetLoader.LoadImages"/> gives for the whole manifest, thrown after the batches before it were given.</exception>
    public IEnumerable<(IReadOnlyList<string> Ids, float[] Probabilities)> Predict(Manifest manifest)
    {
        var (size, plane) = (Image.Channels * Image.Height * Image.Width, Image.Height * Image.Width);
        var images = Array.Empty<float>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        var index = 0;
        foreach (var (start, count) in BatchPipeline.Plan(manifest.Samples.Count, Manifest.Preprocessing!.BatchSize, avoidSingletons: false))
        {
            if (images.Length != count * size) images = new float[count * size];
            try
            {
                Parallel.For(0, count, parallel, i =>
                {
                    var slot = images.AsSpan(i * size, size);
                    DatasetLoader.LoadImage(manifest, manifest.Samples[start + i], Image).CopyTo(slot);
                    Normalization.ApplyInPlace(slot, plane);
                });
            }
            catch (AggregateException e) when (e.InnerExceptions.OfType<DataException>().FirstOrDefault() is { } first)
            {
                // Reported as a whole decode-first run would report it (the first failing image in manifest order, and how many more).
                DatasetLoader.LoadImages(manifest, Image);
                throw first;
            }
            var ids = manifest.Samples.Skip(start).Take(count).Select(s => s.Id).ToArray();
            yield return (ids, Run(new Batch(index++, count, images, [], ids)));
        }
    }

    private (IReadOnlyList<string> Ids, float[] Probabilities) Predict(BatchPipeline pipeline, Batch batch)
    {
        var probabilities = Run(batch);
        pipeline.Return(batch);
        return (batch.Ids, probabilities);
    }

    /// <summary>A normalised batch's probabilities: forward and activation on the device, read back.</summary>
    private float[] Run(Batch batch)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = Trainer.BatchTensor(batch, Image).to(_device);
        return Probabilities(Forward(x)).cpu().data<float>().ToArray();
    }

    /// <summary>The network's logits for a normalised batch already on the device (call inside a dispose scope).</summary>
    public Tensor Forward(Tensor x) => _model.forward(x);

    /// <summary>The training's activation of the task kind: its losses' own.</summary>
    public Tensor Probabilities(Tensor logits) =>
        Task == TaskKind.Segmentation ? SegmentationLosses.Probabilities(logits) : Losses.Probabilities(Task, logits);

    public Device Device => _device;

    public void Dispose() => _model.Dispose();
}
