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
        using var pipeline = new BatchPipeline(data, ids, Normalization, Manifest.Preprocessing!.BatchSize, null, 0, 0, shuffle: false);
        foreach (var batch in pipeline.Read()) yield return Predict(pipeline, batch);
    }

    /// <summary>
    /// The probabilities of every image of <paramref name="manifest"/>, in its order, one batch at a time as
    /// <see cref="Predict(LoadedDataset, IReadOnlyList{string})"/> gives them (the same values), each image read from its
    /// file with <see cref="DatasetLoader.LoadImage"/> while the network runs on the batch before: reading overlaps the
    /// forward pass instead of preceding it, and only the batches in flight are held in memory.
    /// </summary>
    /// <exception cref="Shared.Data.DataException">An image cannot be read, or is of another channel count than the model's: the
    /// error <see cref="DatasetLoader.LoadImages"/> gives for the whole manifest, thrown after the batches before it were given.</exception>
    public IEnumerable<(IReadOnlyList<string> Ids, float[] Probabilities)> Predict(Manifest manifest)
    {
        using var pipeline = BatchPipeline.Decoding(manifest, Image, s => DatasetLoader.LoadImage(manifest, s, Image), Normalization,
            Manifest.Preprocessing!.BatchSize);
        using var batches = pipeline.Read().GetEnumerator();
        while (true)
        {
            try
            {
                if (!batches.MoveNext()) break;
            }
            catch (InvalidOperationException e) when (e.InnerException is DataException first)
            {
                // Reported as a whole decode-first run would report it (the first failing image in manifest order, and how many more).
                DatasetLoader.LoadImages(manifest, Image);
                throw first;
            }
            yield return Predict(pipeline, batches.Current);
        }
    }

    private (IReadOnlyList<string> Ids, float[] Probabilities) Predict(BatchPipeline pipeline, Batch batch)
    {
        float[] probabilities;
        using (NewDisposeScope())
        using (no_grad())
        {
            var x = Trainer.BatchTensor(batch, Image).to(_device);
            probabilities = Probabilities(Forward(x)).cpu().data<float>().ToArray();
        }
        pipeline.Return(batch);
        return (batch.Ids, probabilities);
    }

    /// <summary>The network's logits for a normalised batch already on the device (call inside a dispose scope).</summary>
    public Tensor Forward(Tensor x) => _model.forward(x);

    /// <summary>The training's activation of the task kind: its losses' own.</summary>
    public Tensor Probabilities(Tensor logits) =>
        Task == TaskKind.Segmentation ? SegmentationLosses.Probabilities(logits) : Losses.Probabilities(Task, logits);

    public Device Device => _device;

    public void Dispose() => _model.Dispose();
}
