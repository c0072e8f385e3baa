using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Nachos.Shared.Files;

namespace Nachos.Training.Synth;

/// <summary>
/// Writes a seeded lesion-segmentation demo: grayscale PNG images of a textured organ-like ellipse, each patient with
/// 3–5 images (slices: the patient's lesion keeps its place and roughly its size, with jitter) at one site; each site
/// shifts gain, offset, noise and a linear bias field. A lesion is a sharp-edged ellipse with an irregular outline,
/// 4.5–10 px in radius at 64 px, of varied contrast (0.22–0.4 of the intensity range before the site gain); about a quarter of the images have none. Each image also holds
/// 1–3 distractors that are not lesions: thin bright vessel-like lines and soft broad bumps, up to as bright as faint lesions,
/// so no global threshold separates lesions. Masks are PNGs with 0 (background) and 255 (lesion); output: images/,
/// masks/, manifest.csv (image, mask, patient, site).
/// </summary>
public static class SyntheticSegmentation
{
    public const double EmptyFraction = 0.25;

    public static string Generate(string outDir, SyntheticOptions o, Action<int, int>? progress = null)
    {
        var rng = new Random(o.Seed);
        Directory.CreateDirectory(Path.Combine(outDir, "images"));
        Directory.CreateDirectory(Path.Combine(outDir, "masks"));
        var sites = Enumerable.Range(0, o.Sites).Select(_ => new Site(
            Gain: 0.75 + 0.5 * rng.NextDouble(), Offset: -0.08 + 0.16 * rng.NextDouble(), Noise: 0.02 + 0.03 * rng.NextDouble(),
            BiasAngle: 2 * Math.PI * rng.NextDouble(), Bias: 0.03 + 0.05 * rng.NextDouble())).ToArray();
        var text = new StringWriter(CultureInfo.InvariantCulture);
        using var csv = new CsvWriter(text, new CsvConfiguration(CultureInfo.InvariantCulture) { NewLine = "\n" });
        foreach (var h in new[] { "image", "mask", "patient", "site" }) csv.WriteField(h);
        csv.NextRecord();
        var n = o.Size;
        var scale = n / 64.0;
        for (var p = 0; p < o.Patients; p++)
        {
            var patient = $"P{p:D4}";
            var site = sites[p % o.Sites];
            var images = 3 + rng.Next(3);
            var organ = Organ.Draw(rng, n);
            // The patient's lesion: a place inside the organ, a size and a contrast its images vary around.
            var (angle, reach) = (2 * Math.PI * rng.NextDouble(), 0.55 * Math.Sqrt(rng.NextDouble()));
            var (lx, ly) = (organ.Cx + reach * organ.Rx * Math.Cos(angle), organ.Cy + reach * organ.Ry * Math.Sin(angle));
            var radius = (4.5 + 5.5 * rng.NextDouble()) * scale;
            var contrast = 0.22 + 0.18 * rng.NextDouble();
            for (var k = 0; k < images; k++)
            {
                var img = organ.Render(rng, n, scale);
                var mask = new byte[n * n];
                for (var d = 1 + rng.Next(3); d > 0; d--) AddDistractor(img, n, scale, organ, rng);
                if (rng.NextDouble() >= EmptyFraction)
                {
                    var lesion = new Lesion(
                        lx + 2 * scale * (rng.NextDouble() - 0.5), ly + 2 * scale * (rng.NextDouble() - 0.5),
                        radius * (0.8 + 0.4 * rng.NextDouble()), 0.6 + 0.4 * rng.NextDouble(), Math.PI * rng.NextDouble(),
                        0.15 * rng.NextDouble(), 2 * Math.PI * rng.NextDouble(), 0.1 * rng.NextDouble(), 2 * Math.PI * rng.NextDouble());
                    lesion.Add(img, mask, n, contrast * (0.85 + 0.3 * rng.NextDouble()));
                }
                var pixels = new byte[n * n];
                var (bx, by) = (Math.Cos(site.BiasAngle), Math.Sin(site.BiasAngle));
                for (var y = 0; y < n; y++)
                    for (var x = 0; x < n; x++)
                    {
                        var i = y * n + x;
                        var bias = site.Bias * ((x - n / 2.0) * bx + (y - n / 2.0) * by) / n * 2;
                        var v = site.Gain * img[i] + site.Offset + bias + site.Noise * Gaussian(rng);
                        pixels[i] = (byte)Math.Clamp(Math.Round(v * 255), 0, 255);
                    }
                var name = $"{patient}_{k}.png";
                SyntheticPng.Write(Path.Combine(outDir, "images", name), pixels, n);
                SyntheticPng.Write(Path.Combine(outDir, "masks", name), mask, n);
                foreach (var field in new[] { $"images/{name}", $"masks/{name}", patient, $"site{p % o.Sites}" }) csv.WriteField(field);
                csv.NextRecord();
            }
            progress?.Invoke(p + 1, o.Patients);
        }
        var manifest = Path.Combine(outDir, "manifest.csv");
        csv.Flush();
        SyntheticStamp.Of(o, segmentation: true).Write(outDir);
        AtomicFile.WriteAllText(manifest, text.ToString());
        return manifest;
    }

    private sealed record Site(double Gain, double Offset, double Noise, double BiasAngle, double Bias);

    /// <summary>The organ: a soft-edged ellipse brighter than the body around it, with a low-frequency texture.</summary>
    private sealed record Organ(double Cx, double Cy, double Rx, double Ry)
    {
        public static Organ Draw(Random rng, int n) => new(
            n * (0.45 + 0.1 * rng.NextDouble()), n * (0.45 + 0.1 * rng.NextDouble()),
            n * (0.3 + 0.1 * rng.NextDouble()), n * (0.3 + 0.1 * rng.NextDouble()));

        public double[] Render(Random rng, int n, double scale)
        {
            var img = new double[n * n];
            var gratings = Enumerable.Range(0, 3).Select(_ => (
                Kx: (rng.NextDouble() - 0.5) * 0.8 / scale, Ky: (rng.NextDouble() - 0.5) * 0.8 / scale,
                Phase: 2 * Math.PI * rng.NextDouble(), Amplitude: 0.01 + 0.02 * rng.NextDouble())).ToArray();
            for (var y = 0; y < n; y++)
                for (var x = 0; x < n; x++)
                {
                    var d = Math.Pow((x - Cx) / Rx, 2) + Math.Pow((y - Cy) / Ry, 2);
                    var inside = 1 / (1 + Math.Exp((d - 1) * 8));
                    var texture = gratings.Sum(g => g.Amplitude * Math.Sin(g.Kx * x + g.Ky * y + g.Phase));
                    img[y * n + x] = 0.15 + (0.3 + texture) * inside;
                }
            for (var t = 0; t < 5; t++)
                AddGaussian(img, n, rng.NextDouble() * n, rng.NextDouble() * n, (8 + 10 * rng.NextDouble()) * scale, 0.06 * (2 * rng.NextDouble() - 1));
            return img;
        }
    }

    /// <summary>
    /// A lesion: an ellipse (radius, aspect, rotation) whose radius varies with the angle by two harmonics (the
    /// irregular outline). Its edge is sharp (a sigmoid of about half a pixel) and the mask is exactly its inside.
    /// </summary>
    private sealed record Lesion(double Cx, double Cy, double Radius, double Aspect, double Rotation,
        double Harmonic2, double Phase2, double Harmonic3, double Phase3)
    {
        public void Add(double[] img, byte[] mask, int n, double contrast)
        {
            var (cos, sin) = (Math.Cos(Rotation), Math.Sin(Rotation));
            for (var y = 0; y < n; y++)
                for (var x = 0; x < n; x++)
                {
                    var (dx, dy) = (x - Cx, y - Cy);
                    var (u, v) = (dx * cos + dy * sin, (-dx * sin + dy * cos) / Aspect);
                    var rho = Math.Sqrt(u * u + v * v);
                    var theta = Math.Atan2(v, u);
                    var edge = Radius * (1 + Harmonic2 * Math.Cos(2 * theta + Phase2) + Harmonic3 * Math.Cos(3 * theta + Phase3));
                    var signed = (rho - edge) * (Aspect + (1 - Aspect) * Math.Abs(Math.Cos(theta))); // about pixels across the edge
                    if (signed > 3) continue;
                    img[y * n + x] += contrast / (1 + Math.Exp(signed / 0.4));
                    if (signed < 0) mask[y * n + x] = 255;
                }
        }
    }

    /// <summary>A structure that is not a lesion: a thin bright line (a vessel) or a soft broad bump.</summary>
    private static void AddDistractor(double[] img, int n, double scale, Organ organ, Random rng)
    {
        var (cx, cy) = (organ.Cx + organ.Rx * (1.2 * rng.NextDouble() - 0.6), organ.Cy + organ.Ry * (1.2 * rng.NextDouble() - 0.6));
        if (rng.NextDouble() < 0.5)
        {
            AddGaussian(img, n, cx, cy, (6 + 4 * rng.NextDouble()) * scale, 0.05 + 0.08 * rng.NextDouble());
            return;
        }
        var amplitude = 0.1 + 0.15 * rng.NextDouble();
        var angle = Math.PI * rng.NextDouble();
        var (ux, uy) = (Math.Cos(angle), Math.Sin(angle));
        var half = (10 + 12 * rng.NextDouble()) * scale;
        var width = (0.6 + 0.5 * rng.NextDouble()) * scale;
        var bend = (rng.NextDouble() - 0.5) * 0.04 / scale;
        for (var y = 0; y < n; y++)
            for (var x = 0; x < n; x++)
            {
                var (dx, dy) = (x - cx, y - cy);
                var along = dx * ux + dy * uy;
                if (Math.Abs(along) > half) continue;
                var across = -dx * uy + dy * ux - bend * along * along;
                img[y * n + x] += amplitude * Math.Exp(-across * across / (2 * width * width));
            }
    }

    private static void AddGaussian(double[] img, int n, double cx, double cy, double r, double amplitude)
    {
        for (var y = 0; y < n; y++)
            for (var x = 0; x < n; x++)
                img[y * n + x] += amplitude * Math.Exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * r * r));
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
