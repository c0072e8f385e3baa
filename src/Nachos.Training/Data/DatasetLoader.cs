using System.Collections.Concurrent;
using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Training.Images;
using Nachos.Training.Synth;

namespace Nachos.Training.Data;

/// <summary>
/// Loads the dataset a spec names (CSV manifest, .npz, or the built-in synthetic data): the whole of it, each image
/// decoded (a study's check, which decides what to skip), or only the samples of one task, through the run's
/// <see cref="ImageCache"/> (a task process). For task segmentation each sample's mask is decoded too (not cached):
/// a sample whose mask is bad is a bad sample, like one whose image is.
/// </summary>
public static class DatasetLoader
{
    /// <param name="roots">Where images and masks may be read from (a submitted spec's manifest is checked before anything is decoded).</param>
    public static LoadedDataset Load(StudySpec spec, Action<int, int>? progress = null, DataRoots? roots = null)
    {
        if (spec.Dataset.Format == DatasetFormat.Npz) return LoadNpz(spec);
        var manifest = ReadManifest(spec, roots);
        var masks = MaskClasses(spec) is { } classes ? (spec.Image, classes) : ((ImageSpec, int)?)null;
        var (images, labelMaps, failures) = Decode(manifest.Samples, spec.Image, masks, progress);
        return Keep(spec, manifest, images, labelMaps, failures);
    }

    /// <summary>
    /// The manifest and the images of <paramref name="ids"/> only, taken from the image cache in
    /// <paramref name="cacheDirectory"/> and decoded (then added to it) where missing; for segmentation also their masks,
    /// decoded each time (not cached). An image or mask of these ids that cannot be read is an error whatever
    /// dataset.on_bad_image says: the study's plan holds only readable ones.
    /// </summary>
    public static LoadedDataset Load(StudySpec spec, IEnumerable<string> ids, string cacheDirectory)
    {
        if (spec.Dataset.Format == DatasetFormat.Npz) return LoadNpz(spec);
        var manifest = ReadManifest(spec, null);
        var samples = new List<Sample>();
        foreach (var id in ids.Distinct())
            samples.Add(manifest.ById.TryGetValue(id, out var s) ? s
                : throw new DataException($"{manifest.Source}: sample '{id}' of the study's plan is not in the manifest (was it edited after the study was submitted?)"));
        var key = DatasetContentKey.Of(manifest, spec.Image);
        var cache = new ImageCache(RunLayout.ImageCacheFolder(cacheDirectory, Convert.ToHexStringLower(key)), key, spec.Image);
        var (images, failures) = cache.Load(samples, missing =>
        {
            var (decoded, _, failed) = Decode(missing, spec.Image, null, null);
            return (decoded, failed);
        });
        Dictionary<string, byte[]>? masks = null;
        if (MaskClasses(spec) is { } classes)
        {
            var (_, decoded, failed) = Decode(samples.Where(s => !failures.ContainsKey(s.Id)).ToList(), null, (spec.Image, classes), null);
            masks = new Dictionary<string, byte[]>(decoded);
            failures = failures.Concat(failed).ToDictionary();
        }
        if (failures.Count > 0)
            throw new DataException($"{manifest.Source}: {failures.Count} {What(spec)} of this task cannot be read:\n  "
                                    + string.Join("\n  ", samples.Where(s => failures.ContainsKey(s.Id)).Take(10).Select(s => failures[s.Id])));
        return new LoadedDataset(manifest, spec.Image, images, [], masks);
    }

    /// <summary>
    /// The images of <paramref name="manifest"/>'s samples decoded and resized as training decodes them (no mask), for a
    /// trained model to predict: any image that cannot be read is an error naming its file (the first ten of them).
    /// </summary>
    /// <remarks>An image of another channel count than the model's (colour for a grayscale model, or the reverse) is refused
    /// rather than converted: a model is not known to work on what it was not trained on.</remarks>
    public static LoadedDataset LoadImages(Manifest manifest, ImageSpec image, Action<int, int>? progress = null)
    {
        foreach (var s in manifest.Samples)
        {
            var channels = ImageDecoder.SourceChannels(s.ImagePath);
            if (channels != image.Channels) throw new DataException(Where(manifest, s) + ChannelMismatch(s, image, channels));
        }
        var (images, _, failures) = Decode(manifest.Samples, image, null, progress);
        var failed = manifest.Samples.Where(s => failures.ContainsKey(s.Id)).ToList();
        if (failed.Count > 0)
            throw new DataException($"{Where(manifest, failed[0])}{failures[failed[0].Id]}{(failed.Count > 1 ? $" (and {failed.Count - 1} more image(s))" : "")}");
        return new LoadedDataset(manifest, image, images, []);
    }

    /// <summary>
    /// One image of <paramref name="manifest"/> decoded as <see cref="LoadImages"/> decodes it, with the same checks, from one
    /// read of its file. Its error names the manifest and line as a decoding failure of <see cref="LoadImages"/> does, but
    /// is the first of this image only: <see cref="LoadImages"/> on the whole manifest says which error comes first there.
    /// </summary>
    public static float[] LoadImage(Manifest manifest, Sample sample, ImageSpec image)
    {
        try
        {
            return ImageDecoder.Load(sample.ImagePath, image.Channels, image.Height, image.Width, image.MaxPixels, channels =>
            {
                if (channels != image.Channels) throw new DataException(ChannelMismatch(sample, image, channels));
            });
        }
        catch (DataException e)
        {
            throw new DataException($"{Where(manifest, sample)}{(sample.Line > 0 ? $"line {sample.Line}: " : "")}{e.Message}");
        }
    }

    private static string ChannelMismatch(Sample s, ImageSpec image, int channels) =>
        $"{s.ImagePath}: {(channels == 1 ? "a grayscale" : "a colour")} image; the model takes {image.Channels} channel(s)";

    private static string Where(Manifest manifest, Sample s) => s.Line > 0 ? $"{manifest.Source}: " : "";

    /// <summary>The CSV manifest (the synthetic data generated first when absent, checked to be what the spec asks for when there); no image is read.</summary>
    public static Manifest ReadManifest(StudySpec spec, DataRoots? roots = null)
    {
        var d = spec.Dataset;
        if (d.Format == DatasetFormat.Synthetic)
        {
            var s = d.Synthetic!;
            var options = new SyntheticOptions(s.Patients, s.Sites, s.Size, s.Seed);
            var folder = Path.GetDirectoryName(d.Path)!;
            var segmentation = spec.Task == TaskKind.Segmentation;
            if (File.Exists(d.Path)) SyntheticStamp.Of(options, segmentation).Check(folder);
            else if (segmentation) SyntheticSegmentation.Generate(folder, options);
            else SyntheticDataset.Generate(folder, options);
        }
        var manifest = CsvManifestReader.Read(d, spec.Task);
        (roots ?? DataRoots.Anywhere).Check(manifest);
        return manifest;
    }

    /// <summary>The number of classes of a segmentation spec's masks; null for classification (no masks).</summary>
    private static int? MaskClasses(StudySpec spec) => spec.Task == TaskKind.Segmentation ? spec.Dataset.Classes.Count : null;

    private static string What(StudySpec spec) => spec.Task == TaskKind.Segmentation ? "image(s) or mask(s)" : "image(s)";

    /// <summary>Decodes the images (when <paramref name="img"/> is given) and masks (when <paramref name="masks"/> is) of the samples, in parallel.</summary>
    private static (IReadOnlyDictionary<string, float[]> Images, IReadOnlyDictionary<string, byte[]> Masks, IReadOnlyDictionary<string, string> Failures) Decode(
        IReadOnlyList<Sample> samples, ImageSpec? img, (ImageSpec Image, int Classes)? masks, Action<int, int>? progress)
    {
        var images = new ConcurrentDictionary<string, float[]>();
        var labelMaps = new ConcurrentDictionary<string, byte[]>();
        var failures = new ConcurrentDictionary<string, string>();
        var done = 0;
        Parallel.ForEach(samples, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, sample =>
        {
            try
            {
                var image = img is null ? null : ImageDecoder.Load(sample.ImagePath, img.Channels, img.Height, img.Width, img.MaxPixels);
                if (masks is { } m) labelMaps[sample.Id] = MaskLoader.Load(sample, m.Image, m.Classes);
                if (image is not null) images[sample.Id] = image;
            }
            catch (DataException e)
            {
                // Images given by path rather than by a manifest line (line 0) are named by their file alone.
                failures[sample.Id] = sample.Line > 0 ? $"line {sample.Line}: {e.Message}" : e.Message;
            }
            var n = Interlocked.Increment(ref done);
            if (n % 64 == 0 || n == samples.Count) progress?.Invoke(n, samples.Count);
        });
        return (images, labelMaps, failures);
    }

    private static LoadedDataset Keep(StudySpec spec, Manifest manifest, IReadOnlyDictionary<string, float[]> images, IReadOnlyDictionary<string, byte[]> masks,
        IReadOnlyDictionary<string, string> failures)
    {
        var img = spec.Image;
        var failed = manifest.Samples.Where(s => failures.ContainsKey(s.Id)).Select(s => failures[s.Id]).ToList();
        if (failed.Count > 0 && spec.Dataset.OnBadImage == BadImagePolicy.Error)
            throw new DataException($"{manifest.Source}: {failed.Count} {What(spec)} cannot be read (set dataset.on_bad_image: skip to leave them out):\n  "
                                    + string.Join("\n  ", failed.Take(10)));
        var kept = manifest with { Samples = manifest.Samples.Where(s => images.ContainsKey(s.Id)).ToList() };
        if (kept.Samples.Count == 0) throw new DataException($"{manifest.Source}: no readable image");
        return new LoadedDataset(kept, img, images, failed, MaskClasses(spec) is null ? null : masks);
    }

    private static LoadedDataset LoadNpz(StudySpec spec)
    {
        var d = spec.Dataset;
        var arrays = NpzReader.Read(d.Path);
        var samples = new List<Sample>();
        var images = new Dictionary<string, float[]>();
        var segmentation = spec.Task == TaskKind.Segmentation;
        var masks = segmentation ? new Dictionary<string, byte[]>() : null;
        var maxLabel = 0;
        foreach (var part in d.NpzParts)
        {
            var second = segmentation ? "masks" : "labels";
            if (!arrays.TryGetValue($"{part}_images", out var x) || !arrays.TryGetValue($"{part}_{second}", out var y))
                throw new DataException($"{d.Path}: arrays '{part}_images' and '{part}_{second}' are required (found: {string.Join(", ", arrays.Keys)})");
            if (x.Shape.Length is not (3 or 4)) throw new DataException($"{d.Path}: {part}_images must be N×H×W or N×H×W×C, got ({string.Join(", ", x.Shape)})");
            if (segmentation)
            {
                AddNpzSegmentation(spec, part, x, y, samples, images, masks!);
                continue;
            }
            if (y.Shape.Length is not (1 or 2)) throw new DataException($"{d.Path}: {part}_labels must be N or N×L, got ({string.Join(", ", y.Shape)})");
            int n = x.Shape[0], h = x.Shape[1], w = x.Shape[2], c = x.Shape.Length == 4 ? x.Shape[3] : 1;
            if (h == 0 || w == 0) throw new DataException($"{d.Path}: {part}_images has empty images ({string.Join(", ", x.Shape)})");
            if (c is not (1 or 3)) throw new DataException($"{d.Path}: {part}_images has {c} channels; expected 1 (grayscale) or 3 (RGB)");
            var labelWidth = y.Shape.Length == 1 ? 1 : y.Shape[1];
            if (labelWidth == 0) throw new DataException($"{d.Path}: {part}_labels has no label per row ({string.Join(", ", y.Shape)})");
            if (y.Shape[0] != n) throw new DataException($"{d.Path}: {part}_labels has {y.Shape[0]} rows but {part}_images has {n}");
            NonFinite(x, $"{part}_images", d.Path);
            NonFinite(y, $"{part}_labels", d.Path);
            var scale = x.Values.Length > 0 && x.Values.Max() > 1.0f ? 1 / 255f : 1f;
            for (var i = 0; i < n; i++)
            {
                int[] labels;
                if (spec.Task == TaskKind.Multilabel)
                {
                    if (labelWidth != d.LabelColumns.Count)
                        throw new DataException($"{d.Path}: {part}_labels has {labelWidth} labels per row but dataset.label_columns names {d.LabelColumns.Count}");
                    labels = Enumerable.Range(0, labelWidth).Select(j => y.Values[i * labelWidth + j] > 0.5f ? 1 : 0).ToArray();
                }
                else
                {
                    var v = y.Values[i * labelWidth];
                    if (v < 0 || v != MathF.Floor(v) || (d.Classes.Count > 0 && v >= d.Classes.Count))
                        throw new DataException($"{d.Path}: {part}_labels row {i}: label {v} is not a declared class index (0..{d.Classes.Count - 1})");
                    labels = [(int)v];
                    maxLabel = Math.Max(maxLabel, (int)v);
                }
                var id = $"{part}/{i}";
                samples.Add(new Sample(id, i, $"{d.Path}#{id}", labels, null, id, null, null));
                images[id] = ToPlanar(x.Values, i, h, w, c, scale, spec.Image);
            }
        }
        var classes = spec.Task == TaskKind.Multilabel ? d.LabelColumns
            : d.Classes.Count > 0 ? d.Classes
            : Enumerable.Range(0, Math.Max(maxLabel + 1, 2)).Select(i => i.ToString()).ToList();
        if (spec.Task == TaskKind.Binary && classes.Count != 2)
            throw new DataException($"{d.Path}: task binary but the labels take {classes.Count} values");
        return new LoadedDataset(new Manifest(d.Path, spec.Task, classes, samples), spec.Image, images, [], masks);
    }

    /// <summary>One .npz part of a segmentation dataset: its images and their <c>{part}_masks</c> label maps.</summary>
    private static void AddNpzSegmentation(StudySpec spec, string part, NpyArray x, NpyArray y,
        List<Sample> samples, Dictionary<string, float[]> images, Dictionary<string, byte[]> masks)
    {
        var path = spec.Dataset.Path;
        int n = x.Shape[0], h = x.Shape[1], w = x.Shape[2], c = x.Shape.Length == 4 ? x.Shape[3] : 1;
        if (h == 0 || w == 0) throw new DataException($"{path}: {part}_images has empty images ({string.Join(", ", x.Shape)})");
        if (c is not (1 or 3)) throw new DataException($"{path}: {part}_images has {c} channels; expected 1 (grayscale) or 3 (RGB)");
        NonFinite(x, $"{part}_images", path);
        var labelMaps = MaskLoader.FromNpz(y, $"{part}_masks", path, n, h, w, spec.Dataset.Classes.Count, spec.Image);
        var scale = x.Values.Length > 0 && x.Values.Max() > 1.0f ? 1 / 255f : 1f;
        for (var i = 0; i < n; i++)
        {
            var id = $"{part}/{i}";
            samples.Add(new Sample(id, i, $"{path}#{id}", [0], $"{path}#{part}_masks/{i}", id, null, null));
            images[id] = ToPlanar(x.Values, i, h, w, c, scale, spec.Image);
            masks[id] = labelMaps[i];
        }
    }

    /// <summary>Refuses NaN or infinite values, naming the first one's row (image or label).</summary>
    private static void NonFinite(NpyArray a, string name, string path)
    {
        var at = Array.FindIndex(a.Values, v => !float.IsFinite(v));
        if (at < 0) return;
        var row = a.Shape[0] == 0 ? 0 : at / (a.Values.Length / a.Shape[0]);
        throw new DataException($"{path}: {name} row {row} holds {(float.IsNaN(a.Values[at]) ? "NaN" : "an infinite value")}; every value must be a finite number");
    }

    private static float[] ToPlanar(float[] values, int index, int h, int w, int c, float scale, ImageSpec target)
    {
        var plane = h * w;
        var src = new float[target.Channels * plane];
        var offset = (long)index * plane * c;
        for (var p = 0; p < plane; p++)
        {
            if (target.Channels == 1)
            {
                float sum = 0;
                for (var k = 0; k < c; k++) sum += values[offset + p * c + k];
                src[p] = sum / c * scale;
            }
            else
            {
                for (var k = 0; k < 3; k++) src[k * plane + p] = values[offset + p * c + (c == 1 ? 0 : k)] * scale;
            }
        }
        return Resize.Bilinear(src, target.Channels, h, w, target.Height, target.Width);
    }
}
