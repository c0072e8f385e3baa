using System.Text.Json.Nodes;
using Nachos.Shared.Bundle;
using Nachos.Tests;

namespace Nachos.Shared.Tests;

public sealed class BundleJsonTests
{
    private static BundleManifest Sample(string sha) => new(
        BundleJson.FormatVersion, "multiclass",
        new BundleSource("s", "s/o1/refit", 1, "/runs/s"),
        new BundleNetwork("resnet18", 0.5, 4, false, 3, BundleNetwork.Softmax, new Dictionary<string, string> { ["learning_rate"] = "0.003843475151805052" }),
        new BundlePreprocessing(64, 48, 3, 50_000_000, [0.25510126f, 0.1f, 1e-7f], [0.17770565f, 0.3f, 2f], 64),
        ["a", "b", "c"],
        new BundleDecision(0.5, "arg-max class"),
        new BundleManifestColumns("image", ["label"], null),
        "name: s\nseed: 3\n", new string('a', 64),
        new BundleDataset("csv", new string('b', 64), 100, 66),
        new ExpectedPerformance("NACHOS estimate", 3, true, [new ExpectedMetric("auroc", 0.8123456789012345, 0.7, 0.9, null, double.NaN, [0.8, null, 0.85])]),
        "nachos 1.0.0; .NET 10; TorchSharp 0.107.0.0",
        new BundleSeeds(3, 17),
        new BundleHardware("cpu", "host", "Linux", 2),
        new DateTimeOffset(2026, 12, 5, 4, 45, 1, 123, TimeSpan.Zero),
        new BundleWeights(BundleLayout.Weights, sha, 5));

    [Fact]
    public void Bundle_json_reads_back_every_field_it_wrote()
    {
        var manifest = Sample(new string('c', 64));
        var text = BundleJson.Write(manifest);
        var back = BundleJson.Read(text, "bundle.json");
        Assert.Equal(text, BundleJson.Write(back));
        Assert.Equal(manifest.Preprocessing.Mean, back.Preprocessing.Mean);
        Assert.Equal(manifest.Preprocessing.Std, back.Preprocessing.Std);
        Assert.Equal(manifest.Network.Hyperparameters, back.Network.Hyperparameters);
        Assert.Equal(manifest.ExpectedPerformance.Metrics[0].Mean, back.ExpectedPerformance.Metrics[0].Mean);
        Assert.Equal(manifest.ExpectedPerformance.Metrics[0].PerFold, back.ExpectedPerformance.Metrics[0].PerFold);
        Assert.True(double.IsNaN(back.ExpectedPerformance.Metrics[0].BootstrapHigh!.Value));
        Assert.Null(back.ManifestColumns.Mask);
        Assert.Equal(manifest.Created, back.Created);
        Assert.Equal(manifest with { Classes = back.Classes, Network = back.Network, Preprocessing = back.Preprocessing, ExpectedPerformance = back.ExpectedPerformance,
            ManifestColumns = back.ManifestColumns }, back);
    }

    [Theory]
    [InlineData("format", "2", "bundle.json: key 'format' is bundle format version 2; this nachos reads version 1 only")]
    [InlineData("format", "\"1\"", "bundle.json: key 'format' is not an integer")]
    [InlineData("preprocessing.mean", null, "bundle.json: key 'preprocessing.mean' is missing")]
    [InlineData("preprocessing.std", "[0.1, 0.2]", "bundle.json: key 'preprocessing.std' has 2 values for 3 channel(s)")]
    [InlineData("preprocessing.std", "[0.1, \"x\", 1]", "bundle.json: key 'preprocessing.std[1]' is not a number")]
    [InlineData("network.hyperparameters", "{\"lr\": 1}", "bundle.json: key 'network.hyperparameters.lr' is not a string")]
    [InlineData("weights.sha256", "\"abc\"", "bundle.json: key 'weights.sha256' must be 64 lower-case hex digits")]
    [InlineData("expected_performance.metrics", "[{\"metric\": \"auroc\"}]", "bundle.json: key 'expected_performance.metrics[0].per_fold' is missing")]
    public void A_malformed_or_foreign_bundle_json_is_refused_naming_the_key(string key, string? value, string expected)
    {
        var json = JsonNode.Parse(BundleJson.Write(Sample(new string('c', 64))))!.AsObject();
        var parts = key.Split('.');
        var parent = parts[..^1].Aggregate(json, (o, p) => o[p]!.AsObject());
        if (value is null) parent.Remove(parts[^1]);
        else parent[parts[^1]] = JsonNode.Parse(value);
        var e = Assert.Throws<BundleException>(() => BundleJson.Read(json.ToJsonString(), "bundle.json"));
        Assert.Equal(expected, e.Message);
    }

    [Fact]
    public void Text_that_is_not_json_is_refused_without_quoting_it()
    {
        var e = Assert.Throws<BundleException>(() => BundleJson.Read("secret-token-123 {", "x/bundle.json"));
        Assert.StartsWith("x/bundle.json: not valid JSON", e.Message);
        Assert.DoesNotContain("secret", e.Message);
    }

    [Fact]
    public void A_folder_and_its_archive_load_alike_and_altered_weights_are_refused()
    {
        using var dir = new TempDir();
        var weights = dir.Write("model-source.pt", "12345");
        var manifest = Sample(BundleFiles.Sha256("12345"u8.ToArray()));
        var folder = dir.File("bundle");
        BundleFiles.Write(folder, manifest, weights);
        BundleFiles.WriteArchive(folder, dir.File("bundle.zip"));
        var fromFolder = BundleFiles.Read(folder);
        var fromArchive = BundleFiles.Read(dir.File("bundle.zip"));
        Assert.Equal(BundleJson.Write(fromFolder.Manifest), BundleJson.Write(fromArchive.Manifest));
        Assert.Equal(fromFolder.Weights, fromArchive.Weights);
        Assert.Contains("outer fold 1's refit", File.ReadAllText(Path.Combine(folder, BundleLayout.ModelCardMarkdown)));
        Assert.Contains("| auroc | 0.812", File.ReadAllText(Path.Combine(folder, BundleLayout.ModelCardMarkdown)));

        File.WriteAllText(Path.Combine(folder, BundleLayout.Weights), "12346");
        var e = Assert.Throws<BundleException>(() => BundleFiles.Read(folder));
        Assert.Contains("model.pt: its SHA-256 is not the one", e.Message);
        File.WriteAllText(dir.File("not.zip"), "plain text");
        Assert.Contains("not a bundle folder nor a readable zip", Assert.Throws<BundleException>(() => BundleFiles.Read(dir.File("not.zip"))).Message);
    }
}
