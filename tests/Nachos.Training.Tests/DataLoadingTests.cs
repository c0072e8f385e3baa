using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Training.Data;
using Nachos.Training.Images;
using StbImageWriteSharp;
using Nachos.Shared.SpecLoading;

namespace Nachos.Training.Tests;

public sealed class DataLoadingTests
{
    private static StudySpec Spec(string dir, string dataset, string task = "binary", int size = 8, int channels = 1)
    {
        var path = Path.Combine(dir, "spec.yaml");
        File.WriteAllText(path, $"task: {task}\ndataset:\n{dataset}\nimage: {{ size: {size}, channels: {channels} }}\nsplit: {{ stratify: false }}\n");
        return SpecLoader.LoadFile(path);
    }

    private static void Png(string path, byte[] pixels, int w, int h, ColorComponents comp = ColorComponents.Grey)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var f = File.Create(path);
        new ImageWriter().WritePng(pixels, w, h, comp, f);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Npz_images_and_labels_are_read_from_every_part(bool compressed)
    {
        using var dir = new TempDir();
        // 3 train + 1 test image of 8×8 uint8; pixel value = image index * 10 + 5.
        byte[] Images(int n, int offset) => Enumerable.Range(0, n).SelectMany(i => Enumerable.Repeat((byte)((offset + i) * 10 + 5), 64)).ToArray();
        NpyWriter.Npz(dir.File("d.npz"), new()
        {
            ["train_images"] = NpyWriter.Npy("|u1", [3, 8, 8], Images(3, 0)),
            ["train_labels"] = NpyWriter.Npy("<i8", [3, 1], [.. BitConverter.GetBytes(0L), .. BitConverter.GetBytes(1L), .. BitConverter.GetBytes(1L)]),
            ["test_images"] = NpyWriter.Npy("|u1", [1, 8, 8], Images(1, 3)),
            ["test_labels"] = NpyWriter.Npy("<i8", [1, 1], BitConverter.GetBytes(0L)),
        }, compressed);
        var spec = Spec(dir.Path, "  npz: d.npz\n  npz_parts: [train, test]");
        var data = DatasetLoader.Load(spec);

        Assert.Equal(["train/0", "train/1", "train/2", "test/0"], data.Manifest.Samples.Select(s => s.Id));
        Assert.Equal([0, 1, 1, 0], data.Manifest.Samples.Select(s => s.Labels[0]));
        Assert.Equal(2, data.Manifest.Classes.Count);
        Assert.All(data.Images["train/1"], v => Assert.Equal(15 / 255f, v, 5));
        Assert.All(data.Images["test/0"], v => Assert.Equal(35 / 255f, v, 5));
    }

    [Fact]
    public void Npz_with_a_label_outside_the_classes_names_the_row()
    {
        using var dir = new TempDir();
        NpyWriter.Npz(dir.File("d.npz"), new()
        {
            ["train_images"] = NpyWriter.Npy("|u1", [2, 4, 4], new byte[32]),
            ["train_labels"] = NpyWriter.Npy("|u1", [2, 1], [1, 7]),
        }, false);
        var spec = Spec(dir.Path, "  npz: d.npz\n  npz_parts: [train]\n  classes: [a, b]");
        var e = Assert.Throws<DataException>(() => DatasetLoader.Load(spec));
        Assert.Contains("row 1", e.Message);
        Assert.Contains("label 7", e.Message);
    }

    [Fact]
    public void Csv_manifest_images_are_decoded_resized_and_rgb_converted()
    {
        using var dir = new TempDir();
        // A 16×16 image whose left half is black and right half white, downsized to 8×8.
        var px = new byte[16 * 16];
        for (var y = 0; y < 16; y++) for (var x = 8; x < 16; x++) px[y * 16 + x] = 255;
        Png(dir.File("img/a.png"), px, 16, 16);
        var rgb = Enumerable.Range(0, 8 * 8).SelectMany(_ => new byte[] { 255, 0, 0 }).ToArray();
        Png(dir.File("img/b.png"), rgb, 8, 8, ColorComponents.RedGreenBlue);
        File.WriteAllText(dir.File("m.csv"), "image,label,patient\nimg/a.png,x,p1\nimg/b.png,y,p2\n");
        var spec = Spec(dir.Path, "  manifest: m.csv\n  classes: [x, y]\n  group_column: patient", channels: 3);
        var data = DatasetLoader.Load(spec);

        var a = data.Images["img/a.png"];
        Assert.Equal(3 * 64, a.Length);
        Assert.Equal(0f, a[0], 3);   // top-left pixel, red plane: black
        Assert.Equal(1f, a[7], 3);   // top-right: white
        var b = data.Images["img/b.png"];
        Assert.Equal(1f, b[0], 3);   // red plane
        Assert.Equal(0f, b[64], 3);  // green plane
        Assert.Equal("p2", data.Manifest.ById["img/b.png"].Group);
    }

    [Fact]
    public void A_corrupt_image_is_an_error_naming_the_file_or_is_skipped_and_reported()
    {
        using var dir = new TempDir();
        Png(dir.File("ok.png"), new byte[64], 8, 8);
        File.WriteAllText(dir.File("bad.png"), "this is not an image");
        File.WriteAllText(dir.File("m.csv"), "image,label\nok.png,x\nbad.png,y\nmissing.png,x\n");
        var e = Assert.Throws<DataException>(() => DatasetLoader.Load(Spec(dir.Path, "  manifest: m.csv\n  classes: [x, y]")));
        Assert.Contains("bad.png", e.Message);
        Assert.Contains("missing.png", e.Message);
        Assert.Contains("line 3", e.Message);

        var data = DatasetLoader.Load(Spec(dir.Path, "  manifest: m.csv\n  classes: [x, y]\n  on_bad_image: skip"));
        Assert.Equal(["ok.png"], data.Manifest.Samples.Select(s => s.Id));
        Assert.Equal(2, data.Skipped.Count);
        Assert.Contains(data.Skipped, s => s.Contains("bad.png"));
    }

    [Fact]
    public void Bmp_and_jpeg_decode()
    {
        using var dir = new TempDir();
        var px = Enumerable.Repeat((byte)200, 64).ToArray();
        using (var f = File.Create(dir.File("a.bmp"))) new ImageWriter().WriteBmp(px, 8, 8, ColorComponents.Grey, f);
        using (var f = File.Create(dir.File("a.jpg"))) new ImageWriter().WriteJpg(px, 8, 8, ColorComponents.Grey, f, 95);
        Assert.All(ImageDecoder.Load(dir.File("a.bmp"), 1, 8, 8), v => Assert.Equal(200 / 255f, v, 3));
        Assert.All(ImageDecoder.Load(dir.File("a.jpg"), 1, 8, 8), v => Assert.InRange(v, 195 / 255f, 205 / 255f));
    }

    [Fact]
    public void Synthetic_data_is_seeded_and_grouped_by_patient()
    {
        using var dir = new TempDir();
        var m1 = Synth.SyntheticDataset.Generate(dir.File("a"), new Synth.SyntheticOptions(Patients: 6, Sites: 2, Size: 32, Seed: 4));
        var m2 = Synth.SyntheticDataset.Generate(dir.File("b"), new Synth.SyntheticOptions(Patients: 6, Sites: 2, Size: 32, Seed: 4));
        Assert.Equal(File.ReadAllText(m1), File.ReadAllText(m2));
        var first = File.ReadLines(m1).Skip(1).First().Split(',')[0];
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("a"), first)), File.ReadAllBytes(Path.Combine(dir.File("b"), first)));
        var rows = File.ReadLines(m1).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(3, rows.Where(r => r[1] == "lesion").Select(r => r[3]).Distinct().Count());
        Assert.All(rows.GroupBy(r => r[3]), g => Assert.Single(g.Select(r => r[1]).Distinct()));
        Assert.All(rows.GroupBy(r => r[3]), g => Assert.InRange(g.Count(), 3, 5));
        // Lesion masks are non-empty, normal masks empty.
        foreach (var r in rows.Take(12))
        {
            var mask = MaskDecoder.Decode(Path.Combine(dir.File("a"), r[2]), classes: 2);
            Assert.Equal(r[1] == "lesion", mask.Any(v => v > 0));
        }
    }

    [Fact]
    public void Synthetic_data_is_reused_only_when_its_stamp_says_it_is_what_the_spec_asks_for()
    {
        using var dir = new TempDir();
        var folder = dir.File("data");
        StudySpec Synthetic(int patients, string task = "binary") =>
            Spec(dir.Path, $"  synthetic: {{ out: data, patients: {patients}, sites: 2, size: 16, seed: 4 }}", task, size: 16);
        var first = DatasetLoader.ReadManifest(Synthetic(6));
        var manifest = Path.Combine(folder, "manifest.csv");
        var written = File.ReadAllText(manifest);
        var stamp = Path.Combine(folder, Synth.SyntheticStamp.FileName);
        Assert.True(File.Exists(stamp));

        // The same options: the folder is read as it is, not generated again.
        File.SetLastWriteTimeUtc(manifest, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.Equal(first.Samples.Count, DatasetLoader.ReadManifest(Synthetic(6)).Samples.Count);
        Assert.Equal(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(manifest));

        // Other patients, or the other task's generator: an error naming the folder and both, the folder untouched.
        var more = Assert.Throws<DataException>(() => DatasetLoader.ReadManifest(Synthetic(12)));
        Assert.Contains(folder, more.Message);
        Assert.Contains("generated with classification, patients 6, sites 2, size 16, seed 4", more.Message);
        Assert.Contains("asks for classification, patients 12", more.Message);
        var other = Assert.Throws<DataException>(() => DatasetLoader.ReadManifest(Synthetic(6, "segmentation")));
        Assert.Contains("asks for segmentation, patients 6", other.Message);
        Assert.Equal(written, File.ReadAllText(manifest));

        // A stamp that is not one is named, its content not echoed; a manifest without a stamp is not trusted.
        File.WriteAllText(stamp, "{ secret-token-123");
        var bad = Assert.Throws<DataException>(() => DatasetLoader.ReadManifest(Synthetic(6)));
        Assert.Contains(stamp, bad.Message);
        Assert.DoesNotContain("secret-token-123", bad.Message);
        File.Delete(stamp);
        var unknown = Assert.Throws<DataException>(() => DatasetLoader.ReadManifest(Synthetic(6)));
        Assert.Contains(manifest, unknown.Message);
        Assert.Contains("without synthetic.json", unknown.Message);
        Assert.Equal(written, File.ReadAllText(manifest));
    }
}
