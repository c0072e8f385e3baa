using System.Collections.Concurrent;
using Nachos.Shared.Spec;
using Nachos.Shared.Seeding;
using TorchSharp;
using static TorchSharp.torch;

namespace Nachos.Training.Data;

/// <summary>One mini-batch: normalised images (N×C×H×W floats), targets and, for segmentation, the label maps (N×H×W class indices).</summary>
public sealed record Batch(int Index, int Count, float[] Images, int[][] Labels, IReadOnlyList<string> Ids, byte[]? Masks = null);

/// <summary>
/// Produces the batches of one pass over a set of samples. Order and augmentation depend only on (seed, epoch,
/// position), so a pass can start at any batch and yield exactly what an uninterrupted pass would have from there, and
/// the images of a batch can be prepared in any order on any thread. Two ways to run, same batches:
/// <list type="bullet">
/// <item><c>prefetch</c> &gt; 0: a background thread prepares that many batches ahead of the reader, which suits a GPU
/// (the CPU is free while the device computes).</item>
/// <item><c>prefetch</c> = 0: each batch is prepared when it is read, its images in parallel on all cores. On a CPU
/// device this is faster: between two steps libtorch's threads are idle, while a background thread would pre-empt one
/// of them during a step and every parallel kernel would wait for it (bench/README.md, "Training input pipeline").</item>
/// </list>
/// Image buffers handed back with <see cref="Return"/> are reused, so a steady pass allocates almost nothing.
/// </summary>
public sealed class BatchPipeline : IDisposable
{
    private readonly BlockingCollection<Batch>? _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread? _producer;
    private readonly ConcurrentBag<float[]> _buffers = [];
    private readonly ConcurrentBag<AugmentationScratch> _scratches = [];
    private readonly LoadedDataset _data;
    private readonly string[] _order;
    private readonly Normalization _norm;
    private readonly AugmentationSpec? _augmentation;
    private readonly int _seed, _epoch, _startBatch, _pixels;
    private Exception? _error;

    public IReadOnlyList<(int Start, int Count)> Batches { get; }

    public BatchPipeline(LoadedDataset data, IReadOnlyList<string> ids, Normalization norm, int batchSize,
        AugmentationSpec? augmentation, int seed, int epoch, bool shuffle, int startBatch = 0, int prefetch = 4)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefetch);
        _order = ids.ToArray();
        if (shuffle) new Random(Seeds.Derive(seed, 11, epoch)).Shuffle(_order);
        Batches = Plan(_order.Length, batchSize, avoidSingletons: shuffle);
        (_data, _norm, _augmentation, _seed, _epoch, _startBatch) = (data, norm, augmentation, seed, epoch, startBatch);
        _pixels = data.PixelsPerImage;
        if (prefetch == 0) return;
        _queue = new BlockingCollection<Batch>(prefetch);
        _producer = new Thread(Produce) { IsBackground = true, Name = "nachos-batches" };
        _producer.Start();
    }

    /// <summary>How far ahead to prepare batches for a model on <paramref name="device"/>: on demand for a CPU, 4 ahead otherwise.</summary>
    public static int PrefetchFor(Device device) => device.type == DeviceType.CPU ? 0 : 4;

    /// <summary>Batch boundaries; when training, a last batch of one is avoided (batch norm needs two).</summary>
    public static IReadOnlyList<(int Start, int Count)> Plan(int n, int batchSize, bool avoidSingletons)
    {
        var list = new List<(int, int)>();
        for (var s = 0; s < n; s += batchSize) list.Add((s, Math.Min(batchSize, n - s)));
        if (avoidSingletons && list.Count >= 2 && list[^1].Item2 == 1)
        {
            var (ps, pc) = list[^2];
            list[^2] = (ps, pc - 1);
            list[^1] = (n - 2, 2);
        }
        return list;
    }

    private void Produce()
    {
        try
        {
            for (var b = _startBatch; b < Batches.Count; b++) _queue!.Add(Prepare(b, parallel: false), _stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _error = e;
        }
        finally
        {
            _queue!.CompleteAdding();
        }
    }

    private Batch Prepare(int b, bool parallel)
    {
        var (start, count) = Batches[b];
        var size = _pixels;
        var plane = _data.Image.Height * _data.Image.Width;
        if (!_buffers.TryTake(out var images) || images.Length != count * size) images = new float[count * size];
        var labels = new int[count][];
        var ids = new string[count];
        var masks = _data.Masks is null ? null : new byte[count * plane];
        if (parallel && count > 1) Parallel.For(0, count, i => PrepareImage(start, i, images, masks, labels, ids));
        else for (var i = 0; i < count; i++) PrepareImage(start, i, images, masks, labels, ids);
        return new Batch(b, count, images, labels, ids, masks);
    }

    private void PrepareImage(int start, int i, float[] images, byte[]? masks, int[][] labels, string[] ids)
    {
        var (c, h, w) = (_data.Image.Channels, _data.Image.Height, _data.Image.Width);
        var size = _pixels;
        var plane = h * w;
        var id = _order[start + i];
        var src = _data.Images[id];
        var slot = images.AsSpan(i * size, size);
        var maskSlot = masks is null ? default : masks.AsSpan(i * plane, plane);
        if (_augmentation is { Any: true } aug)
        {
            var rng = new SplitMix(Seeds.Derive(_seed, 12, _epoch, start + i));
            if (!_scratches.TryTake(out var scratch)) scratch = new AugmentationScratch();
            if (masks is null) Augmenter.Apply(src, slot, c, h, w, aug, ref rng, scratch);
            else Augmenter.Apply<byte>(src, slot, _data.Masks![id], maskSlot, c, h, w, aug, ref rng, scratch);
            _scratches.Add(scratch);
        }
        else
        {
            src.CopyTo(slot);
            if (masks is not null) _data.Masks![id].CopyTo(maskSlot);
        }
        _norm.ApplyInPlace(slot, plane);
        labels[i] = [.. _data.Manifest.ById[id].Labels];
        ids[i] = id;
    }

    /// <summary>Hands a consumed batch's buffer back for reuse; the batch must not be read afterwards.</summary>
    public void Return(Batch batch)
    {
        if (batch.Images.Length == Batches[0].Count * _pixels) _buffers.Add(batch.Images);
    }

    public IEnumerable<Batch> Read()
    {
        if (_queue is null)
        {
            for (var b = _startBatch; b < Batches.Count; b++)
            {
                Batch batch;
                try
                {
                    batch = Prepare(b, parallel: true);
                }
                catch (Exception e)
                {
                    var first = e is AggregateException { InnerExceptions.Count: > 0 } all ? all.InnerExceptions[0] : e;
                    throw new InvalidOperationException("batch preparation failed: " + first.Message, first);
                }
                yield return batch;
            }
            yield break;
        }
        foreach (var batch in _queue.GetConsumingEnumerable()) yield return batch;
        if (_error is not null) throw new InvalidOperationException("batch preparation failed: " + _error.Message, _error);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _producer?.Join();
        _queue?.Dispose();
        _stop.Dispose();
    }
}
