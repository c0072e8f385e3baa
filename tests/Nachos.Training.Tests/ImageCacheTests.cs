using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Training.Data;
using StbImageWriteSharp;
using Nachos.Shared.SpecLoading;

namespace Nachos.Training.Tests;

/// <summary>A task's images through the run's image cache: decoded once, checked on every read, never trusted when damaged or stale.</summary>
public sealed class ImageCacheTests
{
    private static readonly string[] Names = ["a", "b", "c", "d", "e", "f"];

    /// <summary>Six 12×10 RGB PNGs (decoded to 8×8 grey, so a resize is involved) and their manifest.</summary>
    private static StudySpec Dataset(TempDir dir, string extraRows = "", string dataset = "")
    {
        var rng = new Random(5);
        foreach (var name in Names) Png(dir.File($"img/{name}.png"), rng);
        File.WriteAllText(dir.File("m.csv"), "image,label\n" + string.Concat(Names.Select((n, i) => $"img/{n}.png,{(i % 2 == 0 ? "x" : "y")}\n")) + extraRows);
        var path = dir.File("spec.yaml");
        File.WriteAllText(path, $"task: binary\ndataset:\n  manifest: m.csv\n  classes: [x, y]\n{dataset}image: {{ size: 8, channels: 1 }}\nsplit: {{ stratify: false }}\n");
        return SpecLoader.LoadFile(path);
    }

    private static void Png(string path, Random rng)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var pixels = new byte[12 * 10 * 3];
        rng.NextBytes(pixels);
        using var f = File.Create(path);
        new ImageWriter().WritePng(pixels, 12, 10, ColorComponents.RedGreenBlue, f);
    }

    /// <summary>Overwrites a file with bytes no decoder reads, keeping its size and modification time (so the cache key stays).</summary>
    private static void Garble(string path)
    {
        var stamp = File.GetLastWriteTimeUtc(path);
        File.WriteAllBytes(path, new byte[new FileInfo(path).Length]);
        File.SetLastWriteTimeUtc(path, stamp);
    }

    private static string[] Ids(params string[] names) => names.Select(n => $"img/{n}.png").ToArray();

    private static string[] Segments(string cache) => Directory.GetFiles(cache, "*" + RunLayout.ImageCacheSegmentExtension, SearchOption.AllDirectories);

    private static void SameFloats(LoadedDataset expected, LoadedDataset actual, IEnumerable<string> ids)
    {
        foreach (var id in ids)
            Assert.True(expected.Images[id].AsSpan().SequenceEqual(actual.Images[id]), $"{id} differs");
    }

    [Fact]
    public void A_second_load_decodes_nothing_and_gives_the_uncached_floats_bit_for_bit()
    {
        using var dir = new TempDir();
        var spec = Dataset(dir);
        var cache = dir.File("run/image-cache");
        var uncached = DatasetLoader.Load(spec);
        var ids = Ids("a", "b", "c", "d");

        SameFloats(uncached, DatasetLoader.Load(spec, ids, cache), ids);
        foreach (var name in Names) Garble(dir.File($"img/{name}.png"));
        var warm = DatasetLoader.Load(spec, ids, cache);

        // Every source image is unreadable now: the load decoded nothing.
        SameFloats(uncached, warm, ids);
        Assert.Equal(ids.Order(), warm.Images.Keys.Order());
        Assert.Single(Segments(cache));
    }

    [Fact]
    public void A_task_decodes_only_its_own_samples_and_adds_the_missing_ones_once()
    {
        using var dir = new TempDir();
        // An unreadable image the task does not use: the whole-dataset load refuses it, the task's load never opens it.
        var spec = Dataset(dir, "broken.png,x\n");
        File.WriteAllText(dir.File("broken.png"), "not an image");
        var cache = dir.File("run/image-cache");
        Assert.Throws<DataException>(() => DatasetLoader.Load(spec));

        var first = DatasetLoader.Load(spec, Ids("a", "b"), cache);
        Assert.Equal(Ids("a", "b").Order(), first.Images.Keys.Order());
        var more = DatasetLoader.Load(spec, Ids("b", "c"), cache);
        Garble(dir.File("img/a.png"));
        Garble(dir.File("img/b.png"));
        Garble(dir.File("img/c.png"));
        var again = DatasetLoader.Load(spec, Ids("a", "b", "c"), cache);
        SameFloats(first, again, Ids("a", "b"));
        SameFloats(more, again, Ids("c"));
        Assert.Equal(2, Segments(cache).Length); // {a, b}, then only the missing {c}

        var e = Assert.Throws<DataException>(() => DatasetLoader.Load(spec, ["broken.png"], cache));
        Assert.Contains("broken.png", e.Message);
        Assert.Contains("line 8", e.Message);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("image bytes")]
    [InlineData("index bytes")]
    [InlineData("header")]
    [InlineData("empty")]
    public void A_damaged_cache_file_is_detected_deleted_and_rebuilt(string damage)
    {
        using var dir = new TempDir();
        var spec = Dataset(dir);
        var cache = dir.File("run/image-cache");
        var ids = Ids(Names);
        var uncached = DatasetLoader.Load(spec);
        DatasetLoader.Load(spec, ids, cache);
        var segment = Assert.Single(Segments(cache));
        var bytes = File.ReadAllBytes(segment);
        switch (damage)
        {
            case "truncated": bytes = bytes[..^10]; break;
            case "image bytes": bytes[^17] ^= 0x40; break;
            case "index bytes": bytes[70] ^= 0x01; break;
            case "header": bytes[12] ^= 0xFF; break; // the key
            case "empty": bytes = []; break;
        }
        File.WriteAllBytes(segment, bytes);

        var rebuilt = DatasetLoader.Load(spec, ids, cache);

        SameFloats(uncached, rebuilt, ids);
        Assert.False(File.Exists(segment));
        var fresh = Assert.Single(Segments(cache));
        foreach (var name in Names) Garble(dir.File($"img/{name}.png"));
        SameFloats(uncached, DatasetLoader.Load(spec, ids, cache), ids); // the rebuilt file is whole
        Assert.Equal([fresh], Segments(cache));
    }

    [Fact]
    public void A_changed_image_or_image_size_takes_a_new_cache()
    {
        using var dir = new TempDir();
        var spec = Dataset(dir);
        var cache = dir.File("run/image-cache");
        var ids = Ids("a", "b");
        var before = DatasetLoader.Load(spec, ids, cache);

        Png(dir.File("img/a.png"), new Random(99));
        var after = DatasetLoader.Load(spec, ids, cache);

        var expected = DatasetLoader.Load(spec);
        SameFloats(expected, after, ids);
        Assert.False(before.Images["img/a.png"].AsSpan().SequenceEqual(after.Images["img/a.png"]));
        Assert.Equal(2, Directory.GetDirectories(cache).Length);

        var smaller = spec with { Image = spec.Image with { Height = 6, Width = 6 } };
        Assert.Equal(36, DatasetLoader.Load(smaller, ids, cache).Images["img/a.png"].Length);
        Assert.Equal(3, Directory.GetDirectories(cache).Length);
    }

    [Fact]
    public void Two_concurrent_loaders_decode_once_into_one_valid_cache()
    {
        using var dir = new TempDir();
        var spec = Dataset(dir);
        var cache = dir.File("run/image-cache");
        var ids = Ids(Names);
        var uncached = DatasetLoader.Load(spec);
        var results = new LoadedDataset[2];
        using var start = new Barrier(2);
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            results[i] = DatasetLoader.Load(spec, ids, cache);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        SameFloats(uncached, results[0], ids);
        SameFloats(uncached, results[1], ids);
        // The second waited for the first's lock and found every image there.
        Assert.Single(Segments(cache));
        Assert.Empty(Directory.GetFiles(cache, "*.tmp", SearchOption.AllDirectories));
        foreach (var name in Names) Garble(dir.File($"img/{name}.png"));
        SameFloats(uncached, DatasetLoader.Load(spec, ids, cache), ids);
    }
}
