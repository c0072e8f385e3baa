using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Nachos.Shared.Files;

namespace Nachos.Training.Synth;

/// <summary>Options for the built-in demo data (classification: <see cref="SyntheticDataset"/>; segmentation: <see cref="SyntheticSegmentation"/>).</summary>
public sealed record SyntheticOptions(int Patients = 60, int Sites = 3, int Size = 64, int Seed = 7);

/// <summary>
/// Writes a seeded, lesion-detection-like dataset: grayscale PNGs of an organ-like ellipse on textured
/// background; half the patients carry a faint small bright lesion (label "lesion", with its mask); some
/// normal images carry a broad faint distractor instead. Each patient has 3–5 images at one site; each site
/// shifts intensity, contrast and noise. Output: images/, masks/, manifest.csv (image,label,mask,patient,site).
/// </summary>
public static class SyntheticDataset
{
    public static string Generate(string outDir, SyntheticOptions o, Action<int, int>? progress = null)
    {
        var rng = new Random(o.Seed);
        Directory.CreateDirectory(Path.Combine(outDir, "images"));
        Directory.CreateDirectory(Path.Combine(outDir, "masks"));
        var sites = Enumerable.Range(0, o.Sites).Select(_ => new Site(
            Gain: 0.75 + 0.5 * rng.NextDouble(), Offset: -0.08 + 0.16 * rng.NextDouble(), Noise: 0.02 + 0.03 * rng.NextDouble())).ToArray();
        // Exactly half the patients (rounded down) carry a lesion, in seeded order.
        var lesion = Enumerable.Range(0, o.Patients).Select(i => i < o.Patients / 2).OrderBy(_ => rng.Next()).ToArray();
        var text = new StringWriter(CultureInfo.InvariantCulture);
        using var csv = new CsvWriter(text, new CsvConfiguration(CultureInfo.InvariantCulture) { NewLine = "\n" });
        foreach (var h in new[] { "image", "label", "mask", "patient", "site" }) csv.WriteField(h);
        csv.NextRecord();
        var scale = o.Size / 64.0;
        for (var p = 0; p < o.Patients; p++)
        {
            var patient = $"P{p:D4}";
            var site = p % o.Sites;
            var images = 3 + rng.Next(3);
            var (lx, ly) = (0.35 + 0.3 * rng.NextDouble(), 0.35 + 0.3 * rng.NextDouble());
            for (var k = 0; k < images; k++)
            {
                var img = Background(rng, o.Size, scale);
                var mask = new byte[o.Size * o.Size];
                if (lesion[p])
                {
                    var cx = (lx + 0.06 * (rng.NextDouble() - 0.5)) * o.Size;
                    var cy = (ly + 0.06 * (rng.NextDouble() - 0.5)) * o.Size;
                    var r = (3 + 3 * rng.NextDouble()) * scale;
                    var a = 0.2 + 0.15 * rng.NextDouble();
                    AddBlob(img, o.Size, cx, cy, r, a, mask);
                }
                else if (rng.NextDouble() < 0.5)
                {
                    AddBlob(img, o.Size, rng.NextDouble() * o.Size, rng.NextDouble() * o.Size, (9 + 5 * rng.NextDouble()) * scale, 0.08, null);
                }
                var s = sites[site];
                var pixels = new byte[o.Size * o.Size];
                for (var i = 0; i < pixels.Length; i++)
                {
                    var v = s.Gain * img[i] + s.Offset + s.Noise * Gaussian(rng);
                    pixels[i] = (byte)Math.Clamp(Math.Round(v * 255), 0, 255);
                }
                var name = $"{patient}_{k}.png";
                SyntheticPng.Write(Path.Combine(outDir, "images", name), pixels, o.Size);
                SyntheticPng.Write(Path.Combine(outDir, "masks", name), mask, o.Size);
                foreach (var field in new[] { $"images/{name}", lesion[p] ? "lesion" : "normal", $"masks/{name}", patient, $"site{site}" }) csv.WriteField(field);
                csv.NextRecord();
            }
            progress?.Invoke(p + 1, o.Patients);
        }
        var manifest = Path.Combine(outDir, "manifest.csv");
        csv.Flush();
        SyntheticStamp.Of(o, segmentation: false).Write(outDir);
        AtomicFile.WriteAllText(manifest, text.ToString());
        return manifest;
    }

    private sealed record Site(double Gain, double Offset, double Noise);

    private static double[] Background(Random rng, int n, double scale)
    {
        var img = new double[n * n];
        var (cx, cy) = (n * (0.45 + 0.1 * rng.NextDouble()), n * (0.45 + 0.1 * rng.NextDouble()));
        var (rx, ry) = (n * (0.3 + 0.1 * rng.NextDouble()), n * (0.3 + 0.1 * rng.NextDouble()));
        for (var y = 0; y < n; y++)
            for (var x = 0; x < n; x++)
            {
                var d = Math.Pow((x - cx) / rx, 2) + Math.Pow((y - cy) / ry, 2);
                img[y * n + x] = 0.15 + 0.3 / (1 + Math.Exp((d - 1) * 8));
            }
        for (var t = 0; t < 6; t++)
            AddBlob(img, n, rng.NextDouble() * n, rng.NextDouble() * n, (8 + 10 * rng.NextDouble()) * scale, 0.08 * (rng.NextDouble() - 0.5) * 2, null);
        return img;
    }

    private static void AddBlob(double[] img, int n, double cx, double cy, double r, double amplitude, byte[]? mask)
    {
        for (var y = 0; y < n; y++)
            for (var x = 0; x < n; x++)
            {
                var g = Math.Exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * r * r));
                img[y * n + x] += amplitude * g;
                if (mask is not null && g > 0.5) mask[y * n + x] = 255;
            }
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
