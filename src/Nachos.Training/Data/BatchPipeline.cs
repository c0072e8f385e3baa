using System.Collections.Concurrent;
using Nachos.Shared.Spec;
using Nachos.Shared.Seeding;

namespace Nachos.Training.Data;

/// <summary>One mini-batch: normalised images (N×C×H×W floats), targets and, for segmentation, the label maps (N×H×W class indices).</summary>
public sealed record Batch(int Index, int Count, float[] Images, int[][] Labels, IReadOnlyList<string> Ids, byte[]? Masks = null);

/// <summary>
/// Produces the batches of one pass over a set of samples on a background thread, a few batches ahead
/// of the training loop. Order and augmentation depend only on (seed, epoch, position), so a pass can
/// start at any batch and yield exactly what an uninterrupted pass would have from there. Image buffers
/// handed back with <see cref="Return"/> are reused, so a steady pass allocates almost nothing.
/// </summary>
public sealed class BatchPipeline : IDisposable
{
    private readonly BlockingCollection<Batch> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _producer;
    private readonly ConcurrentBag<float[]> _buffers = [];
    private readonly int _pixels;
    private Exception? _error;

    public IReadOnlyList<(int Start, int Count)> Batches { get; }

    public BatchPipeline(LoadedDataset data, IReadOnlyList<string> ids, Normalization norm, int batchSize,
        AugmentationSpec? augmentation, int seed, int epoch, bool shuffle, int startBatch = 0, int prefetch = 4)
    {
        var order = ids.ToArray();
        if (shuffle) new Random(Seeds.Derive(seed, 11, epoch)).Shuffle(order);
        Batches = Plan(order.Length, batchSize, avoidSingletons: shuffle);
        _pixels = data.PixelsPerImage;
        _queue = new BlockingCollection<Batch>(prefetch);
        _producer = new Thread(() => Produce(data, order, norm, augmentation, seed, epoch, startBatch))
        {
            IsBackground = true, Name = "nachos-batches",
        };
        _producer.Start();
    }

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

    private void Produce(LoadedDataset data, string[] order, Normalization norm, AugmentationSpec? aug, int seed, int epoch, int startBatch)
    {
        try
        {
            var (c, h, w) = (data.Image.Channels, data.Image.Height, data.Image.Width);
            var size = data.PixelsPerImage;
            var plane = h * w;
            var scratch = new AugmentationScratch();
            for (var b = startBatch; b < Batches.Count; b++)
            {
                var (start, count) = Batches[b];
                if (!_buffers.TryTake(out var images) || images.Length != count * size) images = new float[count * size];
                var labels = new int[count][];
                var ids = new string[count];
                var masks = data.Masks is null ? null : new byte[count * plane];
                for (var i = 0; i < count; i++)
                {
                    var id = order[start + i];
                    var src = data.Images[id];
                    var slot = images.AsSpan(i * size, size);
                    var maskSlot = masks is null ? default : masks.AsSpan(i * plane, plane);
                    if (aug is { Any: true })
                    {
                        var rng = new SplitMix(Seeds.Derive(seed, 12, epoch, start + i));
                        if (masks is null) Augmenter.Apply(src, slot, c, h, w, aug, ref rng, scratch);
                        else Augmenter.Apply<byte>(src, slot, data.Masks![id], maskSlot, c, h, w, aug, ref rng, scratch);
                    }
                    else
                    {
                        src.CopyTo(slot);
                        if (masks is not null) data.Masks![id].CopyTo(maskSlot);
                    }
                    norm.ApplyInPlace(slot, h * w);
                    labels[i] = [.. data.Manifest.ById[id].Labels];
                    ids[i] = id;
                }
                _queue.Add(new Batch(b, count, images, labels, ids, masks), _stop.Token);
            }
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
            _queue.CompleteAdding();
        }
    }

    /// <summary>Hands a consumed batch's buffer back for reuse; the batch must not be read afterwards.</summary>
    public void Return(Batch batch)
    {
        if (batch.Images.Length == Batches[0].Count * _pixels) _buffers.Add(batch.Images);
    }

    public IEnumerable<Batch> Read()
    {
        foreach (var batch in _queue.GetConsumingEnumerable()) yield return batch;
        if (_error is not null) throw new InvalidOperationException("batch preparation failed: " + _error.Message, _error);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _producer.Join();
        _queue.Dispose();
        _stop.Dispose();
    }
}
