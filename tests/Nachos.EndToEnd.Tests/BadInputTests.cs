namespace Nachos.EndToEnd.Tests;

public sealed class BadInputTests
{
    [Fact]
    public void An_invalid_spec_exits_2_naming_key_and_line_and_writes_nothing()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), """
            name: bad
            dataset:
              manifest: missing.csv
            training:
              learning_rate: -0.5
              optimiser: adam
            """);
        var (code, _, error) = NachosProcess.Run(dir.Path, "train", "spec.yaml");
        Assert.Equal(2, code);
        Assert.Contains("line 3: dataset.manifest: file not found", error);
        Assert.Contains("line 5: training.learning_rate: must be > 0", error);
        Assert.Contains("line 6: training.optimiser: unknown key 'optimiser' (did you mean 'optimizer'?)", error);
        Assert.False(Directory.Exists(dir.File("runs")));
    }

    [Theory]
    [InlineData("report .", "--format pdf", "see: nachos report --help")]
    [InlineData("trial list st", "--format xml", "see: nachos trial list --help")]
    [InlineData("evaluate p.csv", "--by ward", "see: nachos evaluate --help")]
    [InlineData("run spec.yaml", "--devicez 2", "see: nachos run --help")]
    public void A_command_line_that_does_not_parse_exits_2_with_one_line_and_a_hint_not_the_whole_help(string command, string bad, string hint)
    {
        using var dir = new TempDir();
        var (code, output, error) = NachosProcess.Run(dir.Path, [.. command.Split(' '), .. bad.Split(' ')]);
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", error);
        Assert.Contains(bad.Split(' ')[0] == "--devicez" ? "--devicez" : bad.Split(' ')[^1], error);
        Assert.Contains(hint, error);
        Assert.DoesNotContain("Usage:", output + error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void A_label_outside_the_classes_exits_2_naming_row_and_column_without_quoting_the_file()
    {
        using var dir = new TempDir();
        var synth = NachosProcess.Run(dir.Path, "dataset", "synth", "--out", "d", "--patients", "6", "--size", "16");
        Assert.True(synth.Code == 0, synth.Error);
        var manifest = dir.File("d/manifest.csv");
        var lines = File.ReadAllLines(manifest);
        lines[4] = lines[4].Replace(",normal,", ",tumour,").Replace(",lesion,", ",tumour,");
        File.WriteAllLines(manifest, lines);
        File.WriteAllText(dir.File("spec.yaml"), "dataset:\n  manifest: d/manifest.csv\n  classes: [normal, lesion]\n  group_column: patient\nimage: { size: 16 }\nsplit: { outer_folds: 2, inner_folds: 2 }\n");
        var (code, _, error) = NachosProcess.Run(dir.Path, "train", "spec.yaml");
        Assert.Equal(2, code);
        Assert.Contains("manifest.csv:5", error);
        Assert.Contains("does not hold a declared class (normal, lesion)", error);
        Assert.DoesNotContain("tumour", error);
    }

    [Fact]
    public void An_impossible_split_exits_2_with_the_reason()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), "dataset:\n  synthetic: { out: d, patients: 4, size: 16 }\nimage: { size: 16 }\nsplit: { outer_folds: 5 }\n");
        var (code, _, error) = NachosProcess.Run(dir.Path, "train", "spec.yaml");
        Assert.Equal(2, code);
        Assert.Contains("cannot make 5 outer folds from 4 patients", error);
    }

    [Fact]
    public void Synthetic_data_generated_with_other_options_exits_2_and_is_not_trained_on()
    {
        using var dir = new TempDir();
        var synth = NachosProcess.Run(dir.Path, "dataset", "synth", "--out", "d", "--patients", "6", "--size", "16");
        Assert.True(synth.Code == 0, synth.Error);
        var manifest = File.ReadAllText(dir.File("d/manifest.csv"));
        File.WriteAllText(dir.File("spec.yaml"), "dataset:\n  synthetic: { out: d, patients: 12, size: 16 }\nimage: { size: 16 }\nsplit: { outer_folds: 2, inner_folds: 2 }\n");
        var (code, _, error) = NachosProcess.Run(dir.Path, "run", "spec.yaml");
        Assert.Equal(2, code);
        Assert.Contains("generated with classification, patients 6, sites 3, size 16, seed 7; dataset.synthetic asks for classification, patients 12", error);
        Assert.Equal(manifest, File.ReadAllText(dir.File("d/manifest.csv")));
        Assert.False(Directory.Exists(dir.File("runs")));
    }

    [Fact]
    public void Dataset_synth_writes_a_manifest_with_patients_sites_and_masks()
    {
        using var dir = new TempDir();
        var (code, _, error) = NachosProcess.Run(dir.Path, "dataset", "synth", "--out", "d", "--patients", "9", "--sites", "3", "--size", "24", "--task", "segmentation");
        Assert.True(code == 0, error);
        var lines = File.ReadAllLines(dir.File("d/manifest.csv"));
        Assert.Equal("image,mask,patient,site", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(9, rows.Select(r => r[2]).Distinct().Count());
        Assert.Equal(3, rows.Select(r => r[3]).Distinct().Count());
        Assert.All(rows, r => Assert.True(File.Exists(dir.File("d/" + r[0])) && File.Exists(dir.File("d/" + r[1]))));
        var bad = NachosProcess.Run(dir.Path, "dataset", "synth", "--out", "e", "--task", "detection");
        Assert.NotEqual(0, bad.Code);
    }
}
