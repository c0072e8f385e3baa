using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Training.Data;
using Nachos.Training.Images;
using StbImageWriteSharp;
using Nachos.Shared.SpecLoading;

namespace Nachos.Training.Tests;

/// <summary>Segmentation data: masks from a CSV manifest or an .npz, decoded into label maps at the image size.</summary>
public sealed class SegmentationDataTests : IDisposable
{
    private readonly TempDir _dir = new();

    public SegmentationDataTests() => Directory.CreateDirectory(_dir.File("masks"));

    public void Dispose() => _dir.Dispose();

    private StudySpec Spec(string dataset, int size = 8)
    {
        var path = _dir.File("spec.yaml");
        File.WriteAllText(path, $"task: segmentation\ndataset:\n{dataset}\nimage: {{ size: {size} }}\n");
        return SpecLoader.LoadFile(path);
    }

    private void Png(string name, byte[] pixels, int w, int h, ColorComponents comp = ColorComponents.Grey)
    {
        var path = _dir.File(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var f = File.Create(path);
        new ImageWriter().WritePng(pixels, w, h, comp, f);
    }

    /// <summary>A w × h image of mid grey and its mask; <paramref name="mask"/> gives each pixel's value from (x, y).</summary>
    private void Pair(string id, int w, int h, Func<int, int, byte> mask, int maskW = 0, int maskH = 0)
    {
        (maskW, maskH) = (maskW == 0 ? w : maskW, maskH == 0 ? h : maskH);
        Png($"img/{id}.png", Enumerable.Repeat((byte)128, w * h).ToArray(), w, h);
        Png($"masks/{id}.png", Enumerable.Range(0, maskW * maskH).Select(i => mask(i % maskW, i / maskW)).ToArray(), maskW, maskH);
    }

    private void Manifest(params string[] ids) =>
        File.WriteAllText(_dir.File("m.csv"), "image,mask\n" + string.Concat(ids.Select(id => $"img/{id}.png,masks/{id}.png\n")));

    [Fact]
    public void Binary_masks_are_foreground_wherever_non_zero_and_are_resized_with_nearest_neighbour()
    {
        // 16×16 masks: the left half is 255 in a, 1 in b (any non-zero value is foreground), c is empty.
        Pair("a", 16, 16, (x, _) => x < 8 ? (byte)255 : (byte)0);
        Pair("b", 16, 16, (x, _) => x < 8 ? (byte)1 : (byte)0);
        Pair("c", 16, 16, (_, _) => 0);
        Manifest("a", "b", "c");
        var data = DatasetLoader.Load(Spec("  manifest: m.csv\n  mask_column: mask"));

        Assert.Equal(["background", "foreground"], data.Manifest.Classes);
        Assert.All(data.Manifest.Samples, s => Assert.Equal([0], s.Labels));
        var expected = Enumerable.Range(0, 64).Select(i => i % 8 < 4 ? (byte)1 : (byte)0).ToArray();
        Assert.Equal(expected, data.Masks!["img/a.png"]);
        Assert.Equal(expected, data.Masks["img/b.png"]);
        Assert.Equal(new byte[64], data.Masks["img/c.png"]);
        Assert.Equal(64, data.Images["img/a.png"].Length);
    }

    [Fact]
    public void Multiclass_mask_values_are_class_indices()
    {
        Pair("a", 8, 8, (x, y) => (byte)((x + y) % 3));
        Manifest("a");
        var data = DatasetLoader.Load(Spec("  manifest: m.csv\n  mask_column: mask\n  classes: [background, liver, tumour]"));
        Assert.Equal(Enumerable.Range(0, 64).Select(i => (byte)((i % 8 + i / 8) % 3)), data.Masks!["img/a.png"]);
    }

    [Fact]
    public void Classification_datasets_have_no_masks()
    {
        Png("img/a.png", new byte[64], 8, 8);
        File.WriteAllText(_dir.File("c.csv"), "image,label\nimg/a.png,x\n");
        File.WriteAllText(_dir.File("spec.yaml"), "dataset:\n  manifest: c.csv\n  classes: [x, y]\nimage: { size: 8 }\nsplit: { stratify: false }\n");
        Assert.Null(DatasetLoader.Load(SpecLoader.LoadFile(_dir.File("spec.yaml"))).Masks);
    }

    [Fact]
    public void A_mask_value_outside_the_classes_names_the_mask_the_line_and_the_pixel()
    {
        Pair("a", 8, 8, (_, _) => 1);
        Pair("b", 8, 8, (x, y) => x == 5 && y == 2 ? (byte)3 : (byte)2);
        Manifest("a", "b");
        var e = Assert.Throws<DataException>(() => DatasetLoader.Load(Spec("  manifest: m.csv\n  mask_column: mask\n  classes: [bg, a, b]")));
        Assert.Contains(_dir.File("masks/b.png"), e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("(x 5, y 2) has value 3", e.Message);
        Assert.Contains("0..2", e.Message);
    }

    [Fact]
    public void A_missing_mask_names_the_file_and_line()
    {
        Pair("a", 8, 8, (_, _) => 0);
        Png("img/b.png", new byte[64], 8, 8);
        Manifest("a", "b");
        var e = Assert.Throws<DataException>(() => DatasetLoader.Load(Spec("  manifest: m.csv\n  mask_column: mask")));
        Assert.Contains($"line 3: {_dir.File("masks/b.png")}: mask file not found", e.Message);
    }

    [Fact]
    public void An_unreadable_mask_names_the_file_and_line_and_never_its_content()
    {
        Pair("a", 8, 8, (_, _) => 0);
        Png("img/b.png", new byte[64], 8, 8);
        Png("img/c.png", new byte[64], 8, 8);
        File.WriteAllText(_dir.File("masks/b.png"), "SECRET-TOKEN-1234 not an image");
        // A PNG signature and header, then garbage where the image data belongs.
        File.WriteAllBytes(_dir.File("masks/c.png"), [.. PngBytes.Header(8, 8)[..33], .. "SECRET-TOKEN-5678 garbage chunk data"u8]);
        Manifest("a", "b", "c");
        var e = Assert.Throws<DataException>(() => DatasetLoader.Load(Spec("  manifest: m.csv\n  mask_column: mask")));
        Assert.Contains($"line 3: {_dir.File("masks/b.png")}: not a PNG file", e.Message);
        Assert.Contains($"line 4: {_dir.File("masks/c.png")}: cannot decode mask", e.Message);
        Assert.DoesNotContain("SECRET", e.Message);
    }

    [Fact]
    public void A_mask_whose_size_differs_from_its_image_names_both_files_and_the_line()
    {
        Pair("a", 16, 12, (_, _) => 0);
        Pair("b", 16, 12, (_, _) => 0, maskW: 16, maskH: 16);
        Manifest("a", "b");
        var e = Assert.Throws<DataException>(() => DatasetLoader.Load(Spec("  manifest: m.csv\n  mask_column: mask")));
        Assert.Contains($"line 3: {_dir.File("masks/b.png")}: the mask is 16 × 16 pixels but its image {_dir.File("img/b.png")} is 16 × 12", e.Message);
    }

    [Fact]
    public void With_on_bad_image_skip_a_sample_with_a_bad_mask_is_left_out_and_reported()
    {
        Pair("a", 8, 8, (x, _) => x < 4 ? (byte)255 : (byte)0);
        Pair("b", 8, 8, (_, _) => 0, maskW: 4, maskH: 4);
        Png("img/c.png", new byte[64], 8, 8);
        Manifest("a", "b", "c");
        var data = DatasetLoader.Load(Spec("  manifest: m.csv\n  mask_column: mask\n  on_bad_image: skip"));
        Assert.Equal(["img/a.png"], data.Manifest.Samples.Select(s => s.Id));
        Assert.Equal(["img/a.png"], data.Masks!.Keys);
        Assert.Equal(["img/a.png"], data.Images.Keys);
        Assert.Equal(2, data.Skipped.Count);
        Assert.Contains(data.Skipped, s => s.StartsWith("line 3:") && s.Contains("masks/b.png"));
        Assert.Contains(data.Skipped, s => s.StartsWith("line 4:") && s.Contains("masks/c.png"));
    }

    [Fact]
    public void A_task_loads_the_masks_of_its_own_samples_and_fails_on_a_bad_one_whatever_on_bad_image_says()
    {
        Pair("a", 8, 8, (x, _) => x < 4 ? (byte)255 : (byte)0);
        Pair("b", 8, 8, (_, y) => y < 2 ? (byte)255 : (byte)0);
        Pair("c", 8, 8, (_, _) => 0, maskW: 4, maskH: 4);
        Manifest("a", "b", "c");
        var spec = Spec("  manifest: m.csv\n  mask_column: mask\n  on_bad_image: skip");
        var data = DatasetLoader.Load(spec, ["img/b.png"], _dir.File("cache"));
        Assert.Equal(["img/b.png"], data.Masks!.Keys);
        Assert.Equal(16, data.Masks["img/b.png"].Count(v => v == 1));
        // The second time the image comes from the cache; the mask is decoded again.
        Assert.Equal(data.Masks["img/b.png"], DatasetLoader.Load(spec, ["img/b.png"], _dir.File("cache")).Masks!["img/b.png"]);

        var e = Assert.Throws<DataException>(() => DatasetLoader.Load(spec, ["img/a.png", "img/c.png"], _dir.File("cache")));
        Assert.Contains($"line 4: {_dir.File("masks/c.png")}: the mask is 4 × 4 pixels", e.Message);
    }

    [Fact]
    public void Sixteen_bit_masks_keep_their_values_and_rgb_masks_are_read_from_the_first_channel()
    {
        Png("img/a.png", new byte[64], 8, 8);
        File.WriteAllBytes(_dir.File("masks/a.png"), PngBytes.Grey16(8, 8, Enumerable.Range(0, 64).Select(i => (ushort)(i % 4)).ToArray()));
        Png("img/b.png", new byte[64], 8, 8);
        // Red holds the class; green and blue hold other values that must not count.
        Png("masks/b.png", Enumerable.Range(0, 64).SelectMany(i => new[] { (byte)(i % 4), (byte)200, (byte)(i % 7) }).ToArray(), 8, 8, ColorComponents.RedGreenBlue);
        Manifest("a", "b");
        var data = DatasetLoader.Load(Spec("  manifest: m.csv\n  mask_column: mask\n  classes: [bg, a, b, c]"));
        var expected = Enumerable.Range(0, 64).Select(i => (byte)(i % 4)).ToArray();
        Assert.Equal(expected, data.Masks!["img/a.png"]);
        Assert.Equal(expected, data.Masks["img/b.png"]);

        File.WriteAllBytes(_dir.File("masks/a.png"), PngBytes.Grey16(8, 8, Enumerable.Repeat((ushort)256, 64).ToArray()));
        var e = Assert.Throws<DataException>(() => DatasetLoader.Load(Spec("  manifest: m.csv\n  mask_column: mask\n  classes: [bg, a, b, c]")));
        Assert.Contains("has value 256", e.Message);
    }

    [Fact]
    public void A_palette_mask_is_refused_with_a_hint()
    {
        Png("img/a.png", new byte[64], 8, 8);
        File.WriteAllBytes(_dir.File("masks/a.png"), PngBytes.Palette(8, 8, Enumerable.Range(0, 64).Select(i => (byte)(i % 2)).ToArray(), 2));
        Manifest("a");
        var e = Assert.Throws<DataException>(() => DatasetLoader.Load(Spec("  manifest: m.csv\n  mask_column: mask")));
        Assert.Contains($"line 2: {_dir.File("masks/a.png")}: an indexed-colour (palette) PNG mask is not supported", e.Message);
    }

    [Fact]
    public void Nearest_neighbour_resize_keeps_label_values_and_replicates_or_picks_pixels()
    {
        var rng = new Random(3);
        var labels = Enumerable.Range(0, 23 * 37).Select(_ => (byte)rng.Next(5)).ToArray();
        foreach (var (h, w) in new[] { (64, 64), (10, 11), (23, 74), (5, 5) })
        {
            var resized = Resize.Nearest(labels, 23, 37, h, w);
            Assert.Equal(h * w, resized.Length);
            Assert.All(resized, v => Assert.InRange(v, (byte)0, (byte)4));
        }
        var doubled = Resize.Nearest(labels, 23, 37, 46, 74);
        for (var y = 0; y < 46; y++)
            for (var x = 0; x < 74; x++)
                Assert.Equal(labels[y / 2 * 37 + x / 2], doubled[y * 74 + x]);
        // Halving picks the lower-right pixel of each 2×2 block (the one under the output pixel's centre).
        var halved = Resize.Nearest(doubled, 46, 74, 23, 37);
        Assert.Equal(labels, halved);
        Assert.Same(labels, Resize.Nearest(labels, 23, 37, 23, 37));
    }

    [Fact]
    public void Npz_masks_are_read_per_part_and_checked_against_the_classes()
    {
        // 2 train images of 4×4 with masks: image 0 foreground in its top row, image 1 empty; values 0/7 (non-zero = foreground).
        var masks = new byte[32];
        for (var x = 0; x < 4; x++) masks[x] = 7;
        NpyWriter.Npz(_dir.File("d.npz"), new()
        {
            ["train_images"] = NpyWriter.Npy("|u1", [2, 4, 4], Enumerable.Repeat((byte)100, 32).ToArray()),
            ["train_masks"] = NpyWriter.Npy("|u1", [2, 4, 4], masks),
        }, compressed: true);
        var data = DatasetLoader.Load(Spec("  npz: d.npz\n  npz_parts: [train]", size: 8));
        Assert.Equal(["train/0", "train/1"], data.Manifest.Samples.Select(s => s.Id));
        Assert.Equal(Enumerable.Range(0, 64).Select(i => i < 16 ? (byte)1 : (byte)0), data.Masks!["train/0"]);
        Assert.Equal(new byte[64], data.Masks["train/1"]);

        // Multi-class: the value is the class index; 3 is outside [bg, a, b].
        masks[20] = 3;
        NpyWriter.Npz(_dir.File("m.npz"), new()
        {
            ["train_images"] = NpyWriter.Npy("|u1", [2, 4, 4], new byte[32]),
            ["train_masks"] = NpyWriter.Npy("|u1", [2, 4, 4], masks.Select(v => v == 7 ? (byte)2 : v).ToArray()),
        }, compressed: false);
        var e = Assert.Throws<DataException>(() => DatasetLoader.Load(Spec("  npz: m.npz\n  npz_parts: [train]\n  classes: [bg, a, b]", size: 8)));
        Assert.Contains("train_masks row 1: pixel (x 0, y 1) has value 3, not a class index (0..2)", e.Message);

        NpyWriter.Npz(_dir.File("n.npz"), new()
        {
            ["train_images"] = NpyWriter.Npy("|u1", [2, 4, 4], new byte[32]),
            ["train_labels"] = NpyWriter.Npy("|u1", [2], [0, 1]),
        }, compressed: false);
        e = Assert.Throws<DataException>(() => DatasetLoader.Load(Spec("  npz: n.npz\n  npz_parts: [train]", size: 8)));
        Assert.Contains("arrays 'train_images' and 'train_masks' are required", e.Message);

        NpyWriter.Npz(_dir.File("s.npz"), new()
        {
            ["train_images"] = NpyWriter.Npy("|u1", [2, 4, 4], new byte[32]),
            ["train_masks"] = NpyWriter.Npy("|u1", [2, 4, 2], new byte[16]),
        }, compressed: false);
        e = Assert.Throws<DataException>(() => DatasetLoader.Load(Spec("  npz: s.npz\n  npz_parts: [train]", size: 8)));
        Assert.Contains("train_masks must be N×H×W matching the images (2, 4, 4), got (2, 4, 2)", e.Message);
    }
}
