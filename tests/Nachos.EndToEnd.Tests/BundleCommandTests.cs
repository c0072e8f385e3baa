using System.Text.Json.Nodes;
using Nachos.Shared.Bundle;
using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;
using Nachos.Tests;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// <c>nachos bundle</c> and <c>nachos predict</c> on studies finished by the real <c>nachos run</c> (real TorchSharp training):
/// a refit's bundle reproduces the refit's own test predictions exactly on CPU, and a bundle that is not what it says is refused.
/// </summary>
[Collection(FinishedStudiesCollection.Name)]
public sealed class BundleCommandTests(FinishedStudies studies)
{
    private static string Manifest(FinishedStudy study) => Path.Combine(Path.GetDirectoryName(study.RunDir)!, "data", "manifest.csv");

    private static string Bundle(FinishedStudy study, TempDir dir, string name = "bundle", params string[] more)
    {
        var run = NachosProcess.Run(dir.Path, ["bundle", study.RunDir, "--fold", "0", "--out", dir.File(name), .. more]);
        Assert.True(run.Code == 0, $"exit {run.Code}\n{run.Output}\n{run.Error}");
        return dir.File(name);
    }

    private static PredictionsTable Predict(string bundle, string input, TempDir dir, string outName, TaskKind task)
    {
        var run = NachosProcess.Run(dir.Path, "predict", bundle, input, "--out", dir.File(outName));
        Assert.True(run.Code == 0, $"exit {run.Code}\n{run.Output}\n{run.Error}");
        return PredictionsFile.Read(dir.File(outName), task);
    }

    [Fact]
    public void A_refits_bundle_predicts_its_outer_test_fold_exactly_as_the_refit_did_on_cpu_from_the_folder_and_the_archive()
    {
        var study = studies.Torch;
        using var dir = new TempDir();
        var bundle = Bundle(study, dir, "bundle", "--archive", dir.File("bundle.zip"));

        var manifest = BundleFiles.Read(bundle).Manifest;
        Assert.Equal("tiny/o0/refit", manifest.Source.TaskId);
        Assert.Equal(BundleJson.FormatVersion, manifest.Format);
        var report = Shared.Study.StudyReport.Read(Path.Combine(study.RunDir, "report.json"));
        var auroc = report.Metrics.Single(m => m.Metric == "auroc");
        var expected = manifest.ExpectedPerformance.Metrics.Single(m => m.Metric == "auroc");
        Assert.Equal(auroc.Summary?.Mean, expected.Mean);
        Assert.Equal(auroc.Summary?.CiLow, expected.CiLow);
        Assert.Equal(auroc.PerFold, expected.PerFold);
        Assert.True(File.Exists(Path.Combine(bundle, BundleLayout.ModelCardMarkdown)) && File.Exists(Path.Combine(bundle, BundleLayout.ModelCardJson)));

        var refit = PredictionsFile.Read(Path.Combine(study.RunDir, "o0", "refit", "predictions.csv"), TaskKind.Binary).Rows.Where(r => r.Set == "test").ToList();
        Assert.NotEmpty(refit);
        var predicted = Predict(bundle, Manifest(study), dir, "all.csv", TaskKind.Binary).Rows.ToDictionary(r => r.SampleId);
        foreach (var row in refit)
        {
            Assert.Equal(row.Probabilities, predicted[row.SampleId].Probabilities);
            Assert.Equal(row.Labels, predicted[row.SampleId].Labels);
        }

        var fromArchive = Predict(dir.File("bundle.zip"), Manifest(study), dir, "archive.csv", TaskKind.Binary);
        Assert.Equal(File.ReadAllText(dir.File("all.csv")), File.ReadAllText(dir.File("archive.csv")));
        Assert.Equal(predicted.Count, fromArchive.Rows.Count);
    }

    [Fact]
    public void A_segmentation_refits_bundle_reproduces_its_test_rows_and_masks()
    {
        var study = studies.Segmentation;
        using var dir = new TempDir();
        var bundle = Bundle(study, dir);
        var refitDir = Path.Combine(study.RunDir, "o0", "refit");
        var refit = PredictionsFile.Read(Path.Combine(refitDir, "predictions.csv"), TaskKind.Segmentation).Rows.Where(r => r.Set == "test").ToList();
        var run = NachosProcess.Run(dir.Path, "predict", bundle, Manifest(study), "--out", dir.File("seg.csv"));
        Assert.True(run.Code == 0, $"exit {run.Code}\n{run.Output}\n{run.Error}");
        // Its truth is empty (predict reads no truth masks), which the predictions reader refuses: read it as plain CSV.
        var lines = File.ReadAllLines(dir.File("seg.csv"));
        Assert.Equal("sample_id,set,true,p_background,p_lesion,predicted,mask,probabilities", lines[0]);
        var predicted = lines.Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0]);
        Assert.NotEmpty(refit);
        foreach (var row in refit)
        {
            var mine = predicted[row.SampleId];
            Assert.Equal(row.Probabilities, mine[3..5].Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Equal(File.ReadAllBytes(Path.Combine(refitDir, row.Extra!["mask"])), File.ReadAllBytes(dir.File(mine[6])));
            Assert.Equal(File.ReadAllBytes(Path.Combine(refitDir, row.Extra!["probabilities"])), File.ReadAllBytes(dir.File(mine[7])));
        }
    }

    [Fact]
    public void A_bundle_of_another_format_version_altered_weights_or_a_malformed_key_is_refused_with_exit_2_and_nothing_written()
    {
        var study = studies.Torch;
        using var dir = new TempDir();
        var bundle = Bundle(study, dir);
        var image = File.ReadLines(Manifest(study)).Skip(1).First().Split(',')[0];
        var input = Path.Combine(Path.GetDirectoryName(Manifest(study))!, image);

        void Refused(string what, string bundlePath, string expected, params string[] inputs)
        {
            var output = dir.File($"{what}.csv");
            var run = NachosProcess.Run(dir.Path, ["predict", bundlePath, .. inputs.Length == 0 ? [input] : inputs, "--out", output]);
            Assert.True(run.Code == 2, $"{what}: exit {run.Code}\n{run.Output}\n{run.Error}");
            Assert.Contains(expected, run.Error);
            Assert.Single(run.Error.Trim().Split('\n'));
            Assert.False(File.Exists(output), $"{what}: {output} was written");
        }

        string Copy(string name, Action<string> change)
        {
            var copy = dir.File(name);
            Directory.CreateDirectory(copy);
            foreach (var f in Directory.GetFiles(bundle)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
            change(copy);
            return copy;
        }

        string EditJson(string name, Action<JsonObject> edit) => Copy(name, c =>
        {
            var file = Path.Combine(c, BundleLayout.Manifest);
            var json = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            edit(json);
            File.WriteAllText(file, json.ToJsonString());
        });

        Refused("version", EditJson("v3", j => j["format"] = 3), "key 'format' is bundle format version 3; this nachos reads versions 1 and 2 only");
        Refused("members", EditJson("v2", j => j["format"] = 2), "key 'members' is missing");
        Refused("tampered", Copy("tampered", c => File.AppendAllText(Path.Combine(c, BundleLayout.Weights), "x")), "model.pt: its SHA-256 is not the one");
        Refused("no-weights", Copy("no-weights", c => File.Delete(Path.Combine(c, BundleLayout.Weights))), "model.pt: missing");
        Refused("malformed", EditJson("malformed", j => j["preprocessing"]!.AsObject().Remove("mean")), "bundle.json: key 'preprocessing.mean' is missing");
        Refused("not-json", Copy("not-json", c => File.WriteAllText(Path.Combine(c, BundleLayout.Manifest), "{ nope")), "bundle.json: not valid JSON");
        Refused("missing-image", bundle, "nowhere.png: no such image file", dir.File("nowhere.png"));
        File.WriteAllText(dir.File("broken.png"), "not an image");
        Refused("broken-image", bundle, "broken.png: not a PNG, JPEG or BMP image", dir.File("broken.png"));
        var colour = dir.File("colour.png");
        using (var stream = File.Create(colour))
            new StbImageWriteSharp.ImageWriter().WritePng(new byte[4 * 4 * 3], 4, 4, StbImageWriteSharp.ColorComponents.RedGreenBlue, stream);
        Refused("colour", bundle, "colour.png: a colour image; the model takes 1 channel(s)", colour);
    }

    [Fact]
    public void Nachos_bundle_refuses_an_unknown_task_an_unfinished_one_and_an_occupied_out_with_exit_2()
    {
        var study = studies.Torch;
        using var dir = new TempDir();
        var wrongStudy = NachosProcess.Run(dir.Path, "bundle", study.RunDir, "--task", "other/o0/refit", "--out", dir.File("a"));
        Assert.Equal(2, wrongStudy.Code);
        Assert.Contains("names study 'other'", wrongStudy.Error);
        var noModel = NachosProcess.Run(dir.Path, "bundle", study.RunDir, "--fold", "7", "--out", dir.File("b"));
        Assert.Equal(2, noModel.Code);
        Assert.Contains("o7/refit/model.pt: missing", noModel.Error);
        File.WriteAllText(dir.File("c"), "x");
        var occupied = NachosProcess.Run(dir.Path, "bundle", study.RunDir, "--task", "o0/refit", "--out", dir.File("c"));
        Assert.Equal(2, occupied.Code);
        Assert.Contains("already exists", occupied.Error);
        var noDeploy = NachosProcess.Run(dir.Path, "bundle", study.RunDir, "--final", "--out", dir.File("d"));
        Assert.Equal(2, noDeploy.Code);
        Assert.Contains("has no final model (its spec has no deploy: section", noDeploy.Error);
        var two = NachosProcess.Run(dir.Path, "bundle", study.RunDir, "--final", "--fold", "0", "--out", dir.File("e"));
        Assert.Equal(2, two.Code);
        Assert.Contains("exactly one of --task ADDRESS, --fold K, --final and --fold-ensemble", two.Error);
        Assert.False(Directory.Exists(dir.File("a")) || Directory.Exists(dir.File("b")) || Directory.Exists(dir.File("d")) || Directory.Exists(dir.File("e")));
    }
}
