using System.Globalization;
using System.Text.RegularExpressions;
using Nachos.Shared.Study;
using Nachos.Tests;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// <c>nachos ensemble RUN_DIR --external</c> on a tiny finished segmentation study (2 outer folds, 2 trials each): the
/// refits predict a synthetic external set, every rule and refit is scored per image, the rule the folds chose on
/// inner validation is applied; an external set without masks is refused.
/// </summary>
[Collection(FinishedStudiesCollection.Name)]
public sealed class SegmentationExternalEnsembleTests(FinishedStudies studies) : IDisposable
{
    private readonly TempDir _dir = new();

    private string ExternalSet()
    {
        var synth = NachosProcess.Run(_dir.Path, "dataset", "synth", "--out", _dir.File("ext"), "--task", "segmentation",
            "--patients", "3", "--size", "32", "--seed", "99");
        Assert.True(synth.Code == 0, synth.Error);
        return _dir.File("ext/manifest.csv");
    }

    [Fact]
    public void The_refits_predict_the_external_set_and_the_rule_chosen_on_inner_validation_is_applied()
    {
        var study = studies.SegmentationTwoTrials;
        var manifest = ExternalSet();
        var images = File.ReadAllLines(manifest).Skip(1).Select(l => l.Split(',')[0]).Order(StringComparer.Ordinal).ToList();
        var run = NachosProcess.Run(_dir.Path, "ensemble", study.RunDir, "--external", manifest);
        Assert.True(run.Code == 0, run.Output + run.Error);
        Assert.Contains("optimistic upper bound", run.Output);

        var table = EnsembleFile.Read(Path.Combine(study.RunDir, RunLayout.EnsembleExternal));
        Assert.Equal(["refit_o0", "refit_o1"], table.Models);
        Assert.Equal(images, table.Rows.Select(r => r.Image));
        Assert.All(table.Rows, r => Assert.Equal((null, EnsembleFile.External), (r.Outer, r.Set)));
        // The applied rule is the one the folds chose most often on their inner validation images (the fold mode's choice).
        var folds = NachosProcess.Run(_dir.Path, "ensemble", study.RunDir, "--top", "2", "--out", _dir.File("folds.csv"));
        Assert.True(folds.Code == 0, folds.Output + folds.Error);
        var chosen = EnsembleFile.Read(_dir.File("folds.csv")).Rows.GroupBy(r => r.Outer).Select(g => g.First().Chosen).ToList();
        Assert.Equal(2, chosen.Count);
        Assert.All(table.Rows, r => Assert.Equal(ExternalEnsemble.Vote(chosen), r.Chosen));
        foreach (var r in table.Rows)
        {
            // Two models: the oracle is the better refit; a majority of two is both, as the intersection.
            Assert.Equal(Math.Max(r.Models[0]!.Value, r.Models[1]!.Value), r.Oracle, 12);
            Assert.Equal(r.Rules[Nachos.Shared.Metrics.Segmentation.EnsembleRule.Intersection], r.Rules[Nachos.Shared.Metrics.Segmentation.EnsembleRule.Majority], 12);
            Assert.True(r.Rules[Nachos.Shared.Metrics.Segmentation.EnsembleRule.Union] is >= 0 and <= 1);
        }
        var applied = table.Rows.Average(r => r.Rules[r.Chosen]).ToString("0.000", CultureInfo.InvariantCulture);
        Assert.Contains($"): {applied}", run.Output.ReplaceLineEndings(" "));

        // The study page of the HTML export: each rule's, refit's and the oracle's mean over the external images, recomputed here.
        var export = NachosProcess.Run(_dir.Path, "report", study.RunDir, "--format", "html", "--out", _dir.File("external.html"));
        Assert.True(export.Code == 0, export.Output + export.Error);
        var html = File.ReadAllText(_dir.File("external.html"));
        var page = StudyFiles.Element(html, "table", "ensemble-external-table");
        string Mean(Func<EnsembleRow, double> column) => table.Rows.Average(column).ToString("R", CultureInfo.InvariantCulture);
        string Cell(string column) => StudyFiles.Attribute(Regex.Match(page, $"<tr data-column=\"{column}\"[^>]*>.*?</tr>", RegexOptions.Singleline).Value, "data-value").Single();
        foreach (var rule in EnsembleFile.Rules)
            Assert.Equal(Mean(r => r.Rules[rule]), Cell(EnsembleFile.Name(rule)));
        Assert.Equal(Mean(r => r.Models[0]!.Value), Cell("refit_o0"));
        Assert.Equal(Mean(r => r.Models[1]!.Value), Cell("refit_o1"));
        Assert.Equal(Mean(r => r.Oracle), Cell("oracle"));
        Assert.Contains("<th>oracle (optimistic upper bound)</th>", page);
        Assert.Contains($"mean Dice over {images.Count} external images", page);
        Assert.Contains($"<tr data-column=\"{EnsembleFile.Name(table.Rows[0].Chosen)}\" class=\"chosen\"><th>rule: {EnsembleFile.Name(table.Rows[0].Chosen)}</th>", page);
        Assert.Single(Regex.Matches(page, "class=\"chosen\""));
        Assert.Contains($"<strong id=\"ensemble-external-applied\">{EnsembleFile.Name(table.Rows[0].Chosen)}</strong>: the one the outer folds chose most often", html);
    }

    [Fact]
    public void An_external_set_without_masks_or_a_missing_file_is_refused_with_exit_2()
    {
        var study = studies.SegmentationTwoTrials;
        var manifest = ExternalSet();
        var lines = File.ReadAllLines(manifest);
        // Blank the mask cell of the second image.
        var cells = lines[2].Split(',');
        cells[1] = "";
        lines[2] = string.Join(",", cells);
        var unmasked = _dir.Write("ext/unmasked.csv", string.Join("\n", lines) + "\n");
        var run = NachosProcess.Run(_dir.Path, "ensemble", study.RunDir, "--external", unmasked);
        Assert.Equal(2, run.Code);
        Assert.Contains("unmasked.csv", run.Error);
        Assert.Contains("mask", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
        Assert.False(File.Exists(Path.Combine(study.RunDir, RunLayout.EnsembleExternal)) && File.GetLastWriteTimeUtc(Path.Combine(study.RunDir, RunLayout.EnsembleExternal)) > File.GetLastWriteTimeUtc(unmasked));

        var nowhere = NachosProcess.Run(_dir.Path, "ensemble", study.RunDir, "--external", _dir.File("none.csv"));
        Assert.Equal(2, nowhere.Code);
        Assert.Contains("none.csv: no such file", nowhere.Error);
        Assert.DoesNotContain("   at ", nowhere.Error);
    }

    public void Dispose() => _dir.Dispose();
}
