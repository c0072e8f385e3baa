using Nachos.Shared.Spec;
using Nachos.Training.Data;
using Nachos.Training.Synth;
using Nachos.Shared.SpecLoading;

namespace Nachos.Training.Tests;

public sealed class SyntheticSegmentationTests
{
    [Fact]
    public void The_demo_is_seeded_and_has_several_images_per_patient_at_one_site_and_some_empty_masks()
    {
        using var dir = new TempDir();
        var options = new SyntheticOptions(Patients: 20, Sites: 3, Size: 32, Seed: 4);
        var m1 = SyntheticSegmentation.Generate(dir.File("a"), options);
        var m2 = SyntheticSegmentation.Generate(dir.File("b"), options);
        Assert.Equal(File.ReadAllText(m1), File.ReadAllText(m2));
        var lines = File.ReadAllLines(m1);
        Assert.Equal("image,mask,patient,site", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        foreach (var r in rows)
            foreach (var file in new[] { r[0], r[1] })
                Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("a"), file)), File.ReadAllBytes(Path.Combine(dir.File("b"), file)));
        Assert.NotEqual(File.ReadAllText(m1), File.ReadAllText(SyntheticSegmentation.Generate(dir.File("c"), options with { Seed = 5 })));

        Assert.Equal(20, rows.Select(r => r[2]).Distinct().Count());
        Assert.All(rows.GroupBy(r => r[2]), g => Assert.InRange(g.Count(), 3, 5));
        Assert.All(rows.GroupBy(r => r[2]), g => Assert.Single(g.Select(r => r[3]).Distinct()));
        Assert.Equal(3, rows.Select(r => r[3]).Distinct().Count());
    }

    [Fact]
    public void Masks_mark_the_lesions_brighter_than_their_surroundings_and_a_quarter_of_the_images_have_none()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), "task: segmentation\ndataset:\n  synthetic: { patients: 40, size: 64, seed: 11 }\nimage: { size: 64 }\n");
        var spec = SpecLoader.LoadFile(dir.File("spec.yaml"));
        Assert.Equal(dir.File("data/demo-segmentation/manifest.csv"), spec.Dataset.Path);
        // The spec's synthetic path generates the segmentation demo (its manifest has no label column).
        var data = DatasetLoader.Load(spec);
        Assert.Equal("image,mask,patient,site", File.ReadLines(spec.Dataset.Path).First());
        var samples = data.Manifest.Samples;
        Assert.InRange(samples.Count, 120, 200);

        var empty = samples.Count(s => data.Masks![s.Id].All(v => v == 0));
        Assert.InRange(empty / (double)samples.Count, 0.15, 0.35);
        var sizes = samples.Select(s => data.Masks![s.Id].Count(v => v == 1)).Where(n => n > 0).ToList();
        Assert.True(sizes.Min() < 80 && sizes.Max() > 200, $"lesion areas should vary: {sizes.Min()}..{sizes.Max()} pixels");

        foreach (var s in samples.Where(s => data.Masks![s.Id].Any(v => v == 1)))
        {
            var (image, mask) = (data.Images[s.Id], data.Masks![s.Id]);
            // Inside the mask against a 3-pixel ring around it: the lesion's own edge, not the whole image.
            var ring = Dilate(mask, 64, 3);
            var inside = Enumerable.Range(0, mask.Length).Where(i => mask[i] == 1).Average(i => image[i]);
            var around = Enumerable.Range(0, mask.Length).Where(i => ring[i] && mask[i] == 0).Average(i => image[i]);
            Assert.True(inside > around + 0.04, $"{s.Id}: mean intensity {inside:F3} inside the mask, {around:F3} around it");
        }
    }

    private static bool[] Dilate(byte[] mask, int n, int r)
    {
        var result = new bool[mask.Length];
        for (var y = 0; y < n; y++)
            for (var x = 0; x < n; x++)
                for (var dy = -r; dy <= r && !result[y * n + x]; dy++)
                    for (var dx = -r; dx <= r; dx++)
                        if (y + dy >= 0 && y + dy < n && x + dx >= 0 && x + dx < n && mask[(y + dy) * n + x + dx] == 1)
                        {
                            result[y * n + x] = true;
                            break;
                        }
        return result;
    }
}
