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
        Assert.Equal(manifest.Preprocessing!.Mean, back.Preprocessing!.Mean);
        Assert.Equal(manifest.Preprocessing!.Std, back.Preprocessing!.Std);
        Assert.Equal(manifest.Network!.Hyperparameters, back.Network!.Hyperparameters);
        Assert.Equal(manifest.ExpectedPerformance.Metrics[0].Mean, back.ExpectedPerformance.Metrics[0].Mean);
        Assert.Equal(manifest.ExpectedPerformance.Metrics[0].PerFold, back.ExpectedPerformance.Metrics[0].PerFold);
        Assert.True(double.IsNaN(back.ExpectedPerformance.Metrics[0].BootstrapHigh!.Value));
        Assert.Null(back.ManifestColumns.Mask);
        Assert.Equal(manifest.Created, back.Created);
        Assert.Equal(manifest with { Classes = back.Classes, Network = back.Network, Preprocessing = back.Preprocessing, ExpectedPerformance = back.ExpectedPerformance,
            ManifestColumns = back.ManifestColumns }, back);
    }

    [Theory]
    [InlineData("format", "3", "bundle.json: key 'format' is bundle format version 3; this nachos reads versions 1 and 2 only")]
    [InlineData("format", "2", "bundle.json: key 'members' is missing")]
    [InlineData("members", "[]", "bundle.json: key 'members' is not part of bundle format 1 (a fold ensemble is format 2)")]
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

    /// <summary>A fold ensemble of the sample's refit and a copy as outer fold <paramref name="other"/>'s, with these weights and thresholds.</summary>
    private static (BundleManifest Ensemble, List<(BundleManifest, string)> Members) Ensemble(TempDir dir, double t0 = 0.3, double t1 = 0.6, int other = 0)
    {
        var a = Sample(BundleFiles.Sha256("12345"u8.ToArray())) with { Source = new BundleSource("s", "s/o1/refit", 1, "/runs/s"), Decision = new BundleDecision(t0, "youden") };
        var b = a with { Source = new BundleSource("s", $"s/o{other}/refit", other, "/runs/s"), Decision = new BundleDecision(t1, "youden"),
            Weights = new BundleWeights(BundleLayout.Weights, BundleFiles.Sha256("678"u8.ToArray()), 3), Hardware = a.Hardware with { TrainedOn = "cuda:0" } };
        var ensemble = FoldEnsembleManifest.Of([b, a], "/runs/s", 100, new BundleHardware("x", "host", "Linux", 2), a.Created);
        return (ensemble, [(b, dir.Write("b.pt", "678")), (a, dir.Write("a.pt", "12345"))]);
    }

    [Fact]
    public void A_fold_ensemble_bundle_is_format_2_holds_each_refit_as_its_own_bundle_and_loads_alike_from_its_archive()
    {
        using var dir = new TempDir();
        var (ensemble, members) = Ensemble(dir);
        Assert.Equal(BundleJson.EnsembleFormatVersion, ensemble.Format);
        Assert.Equal(0.45, ensemble.Decision.Threshold, 12); // the mean of the refits' thresholds
        Assert.Equal("s/fold-ensemble", ensemble.Source.TaskId);
        Assert.Null(ensemble.Source.OuterFold);
        Assert.Equal([0, 1], ensemble.Members!.Select(m => m.OuterFold));
        Assert.Equal("cuda:0, cpu", ensemble.Hardware.TrainedOn);
        Assert.Equal(ensemble.ExpectedPerformance, members[0].Item1.ExpectedPerformance);

        var folder = dir.File("ensemble");
        BundleFiles.WriteEnsemble(folder, ensemble, members);
        BundleFiles.WriteArchive(folder, dir.File("ensemble.zip"));
        Assert.False(File.Exists(Path.Combine(folder, BundleLayout.Weights)));
        foreach (var path in new[] { folder, dir.File("ensemble.zip") })
        {
            var read = BundleFiles.Read(path);
            Assert.Equal(BundleJson.Write(ensemble), BundleJson.Write(read.Manifest));
            Assert.Equal(["678"u8.ToArray(), "12345"u8.ToArray()], read.Members!.Select(m => m.Weights));
            Assert.Equal([0, 1], read.Members!.Select(m => m.Manifest.Source.OuterFold));
        }
        var card = File.ReadAllText(Path.Combine(folder, BundleLayout.ModelCardMarkdown));
        Assert.Contains("fold ensemble of 2 outer folds' refits", card);
        Assert.Contains("the estimate is the NACHOS estimate of its members", card);
        Assert.Contains("| auroc | 0.812", card);

        // A member whose weights are replaced by another valid bundle's is refused: the ensemble records each member's SHA-256.
        BundleFiles.Write(Path.Combine(folder, "members", "o0"), members[1].Item1, members[1].Item2);
        var e = Assert.Throws<BundleException>(() => BundleFiles.Read(folder));
        Assert.Contains("key 'members[0].weights_sha256'", e.Message);
    }

    [Fact]
    public void A_fold_ensemble_needs_two_distinct_outer_folds_of_one_study_with_the_same_outputs()
    {
        using var dir = new TempDir();
        var (ensemble, members) = Ensemble(dir);
        var a = members[1].Item1;
        Assert.Contains("at least two", Assert.Throws<BundleException>(() => FoldEnsembleManifest.Of([a], "/runs/s", 1, a.Hardware, a.Created)).Message);
        var wide = a with { Source = a.Source with { OuterFold = 2, TaskId = "s/o2/refit" }, Network = a.Network! with { Outputs = 4 } };
        Assert.Contains("network outputs", Assert.Throws<BundleException>(() => FoldEnsembleManifest.Of([a, wide], "/runs/s", 1, a.Hardware, a.Created)).Message);
        var twice = ensemble with { Members = [ensemble.Members![0], ensemble.Members[0]] };
        Assert.Equal("bundle.json: key 'members' names an outer fold twice",
            Assert.Throws<BundleException>(() => BundleJson.Read(BundleJson.Write(twice), "bundle.json")).Message);
        var escape = ensemble with { Members = [ensemble.Members[0] with { Path = "../o0" }, ensemble.Members[1]] };
        Assert.Equal("bundle.json: key 'members[0].path' must be members/o0",
            Assert.Throws<BundleException>(() => BundleJson.Read(BundleJson.Write(escape), "bundle.json")).Message);
    }
}
