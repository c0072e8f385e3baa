using Nachos.Shared.Bundle;
using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Training.Bundle;
using Nachos.Training.Data;
using Nachos.Training.Models;
using Nachos.Training.Synth;

namespace Nachos.Training.Tests;

/// <summary>
/// <see cref="BundledModel.Predict(Manifest)"/>, which reads each batch's images while the batch before runs, against
/// decoding everything first: the same batches and probabilities, and the same error for unreadable images.
/// </summary>
public sealed class BundledPredictionTests
{
    private const int BatchSize = 8;

    private static (BundledModel Model, Manifest Manifest) Setup(TempDir dir)
    {
        SyntheticDataset.Generate(dir.File("data"), new SyntheticOptions(Patients: 10, Size: 32));
        var image = new ImageSpec(32, 32, 1);
        var weights = dir.File("weights.pt");
        using (var model = ModelFactory.Create(new ModelSpec(Architecture.SimpleCnn, 0.5, null), image, 2, 3)) model.save(weights);
        var manifest = new BundleManifest(BundleJson.FormatVersion, "binary",
            new BundleSource("test", "test/o0/refit", 0, dir.Path),
            new BundleNetwork("simple-cnn", 0.5, ModelSpec.DefaultDepth, false, 2, BundleNetwork.Softmax, new Dictionary<string, string>()),
            new BundlePreprocessing(32, 32, 1, image.MaxPixels, [0.25f], [0.18f], BatchSize),
            ["normal", "lesion"], new BundleDecision(0.5, "positive when p >= 0.5"),
            new BundleManifestColumns("image", ["label"], null),
            "name: test\n", new string('0', 64), new BundleDataset("csv", new string('0', 64), 0, 0),
            new ExpectedPerformance("test", 0, false, []), "test", new BundleSeeds(1, 1),
            new BundleHardware("cpu", "test", "", 1), DateTimeOffset.UnixEpoch,
            new BundleWeights(BundleLayout.Weights, BundleFiles.Sha256(File.ReadAllBytes(weights)), new FileInfo(weights).Length));
        BundleFiles.Write(dir.File("bundle"), manifest, weights);
        var bundle = BundleFiles.Read(dir.File("bundle"));
        return (BundledModel.Load(bundle, "cpu"), PredictInputs.Resolve([dir.File("data/manifest.csv")], bundle.Manifest));
    }

    [Fact]
    public void Reading_images_batch_by_batch_gives_exactly_the_batches_of_decoding_them_all_first()
    {
        using var dir = new TempDir();
        var (model, manifest) = Setup(dir);
        using (model)
        {
            Assert.True(manifest.Samples.Count > 3 * BatchSize);
            var first = model.Predict(DatasetLoader.LoadImages(manifest, model.Image), manifest.Samples.Select(s => s.Id).ToList()).ToList();
            var streamed = model.Predict(manifest).ToList();
            Assert.Equal(first.Count, streamed.Count);
            for (var b = 0; b < first.Count; b++)
            {
                Assert.Equal(first[b].Ids, streamed[b].Ids);
                Assert.Equal(first[b].Probabilities, streamed[b].Probabilities);
            }
            Assert.Equal(manifest.Samples.Select(s => s.Id), streamed.SelectMany(b => b.Ids));
        }
    }

    [Fact]
    public void Unreadable_images_in_later_batches_end_the_pass_with_the_error_decoding_them_all_first_gives()
    {
        using var dir = new TempDir();
        var (model, manifest) = Setup(dir);
        using (model)
        {
            // Truncated PNGs: their headers read, their pixels do not; the first in the third batch.
            var bad = new[] { manifest.Samples[2 * BatchSize + 3], manifest.Samples[3 * BatchSize + 1] };
            foreach (var s in bad)
            {
                var bytes = File.ReadAllBytes(s.ImagePath);
                File.WriteAllBytes(s.ImagePath, bytes[..(bytes.Length / 2)]);
            }
            var expected = Assert.Throws<DataException>(() => DatasetLoader.LoadImages(manifest, model.Image)).Message;
            Assert.Contains($"line {bad[0].Line}: {bad[0].ImagePath}: cannot decode image", expected);
            Assert.EndsWith("(and 1 more image(s))", expected);

            var given = 0;
            var error = Assert.Throws<DataException>(() =>
            {
                foreach (var _ in model.Predict(manifest)) given++;
            });
            Assert.Equal(expected, error.Message);
            Assert.Equal(2, given);
        }
    }
}
