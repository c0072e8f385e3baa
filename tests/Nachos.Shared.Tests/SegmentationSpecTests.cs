using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.SpecLoading;

namespace Nachos.Shared.Tests;

/// <summary>The spec and manifest side of task segmentation: classes, mask column, no labels, no stratification.</summary>
public sealed class SegmentationSpecTests : IDisposable
{
    private readonly TempDir _dir = new();

    public SegmentationSpecTests() =>
        _dir.Write("data/m.csv", "image,mask,patient\nimg/a.png,masks/a.png,p1\nimg/b.png,masks/b.png,p2\n");

    public void Dispose() => _dir.Dispose();

    private const string Valid = """
        task: segmentation
        dataset:
          manifest: data/m.csv
          mask_column: mask
          group_column: patient
        """;

    private StudySpec Load(string yaml) => SpecLoader.LoadFile(_dir.Write("spec.yaml", yaml));

    private SpecError Error(string yaml)
    {
        var path = _dir.Write("spec.yaml", yaml);
        return Assert.Single(Assert.Throws<SpecException>(() => SpecLoader.LoadFile(path)).Errors);
    }

    [Fact]
    public void Task_segmentation_parses_with_background_and_foreground_and_no_stratification()
    {
        var spec = Load(Valid);
        Assert.Equal(TaskKind.Segmentation, spec.Task);
        Assert.Equal(["background", "foreground"], spec.Dataset.Classes);
        Assert.Empty(spec.Dataset.LabelColumns);
        Assert.Equal("mask", spec.Dataset.MaskColumn);
        Assert.False(spec.Split.Stratify);
        Assert.True(spec.Split.GroupByPatient);

        var multi = Load(Valid + "\n  classes: [background, liver, tumour]\n");
        Assert.Equal(["background", "liver", "tumour"], multi.Dataset.Classes);
    }

    [Fact]
    public void The_mask_column_is_required_for_a_csv_manifest()
    {
        var e = Error(Valid.Replace("  mask_column: mask\n", ""));
        Assert.Equal("dataset.mask_column", e.Path);
        Assert.Contains("is required for task segmentation", e.Message);
    }

    [Fact]
    public void Stratification_is_a_spec_error_for_segmentation()
    {
        var yaml = Valid + "\nsplit:\n  stratify: true\n";
        var e = Error(yaml);
        Assert.Equal("split.stratify", e.Path);
        Assert.Equal(yaml.Split('\n').ToList().FindIndex(l => l.Contains("stratify")) + 1, e.Line);
        Assert.Contains("does not apply to task segmentation", e.Message);
        Assert.False(Load(Valid + "\nsplit:\n  stratify: false\n").Split.Stratify);
    }

    [Theory]
    [InlineData("  classes: [only]", "dataset.classes", "needs 2 or more classes")]
    [InlineData("  classes: [bg, a, a]", "dataset.classes", "must be distinct")]
    [InlineData("  label_columns: [label]", "dataset.label_columns", "does not apply to task segmentation")]
    [InlineData("  classes: [bg, \"left lung\"]", "dataset.classes", "'left lung': a segmentation class name is letters, digits")]
    [InlineData("  classes: [bg, liver, _tumour]", "dataset.classes", "'_tumour'")]
    [InlineData("  classes: [bg, \"a,b\"]", "dataset.classes", "'a,b'")]
    public void Classes_and_label_columns_are_checked(string line, string path, string message)
    {
        var e = Error(Valid + "\n" + line + "\n");
        Assert.Equal(path, e.Path);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void The_synthetic_demo_has_its_own_default_folder_and_classes()
    {
        var spec = Load("task: segmentation\ndataset:\n  synthetic: { patients: 8 }\n");
        Assert.Equal(_dir.File("data/demo-segmentation/manifest.csv"), spec.Dataset.Path);
        Assert.Equal(["background", "foreground"], spec.Dataset.Classes);
        Assert.Equal("mask", spec.Dataset.MaskColumn);
        Assert.Equal(_dir.File("data/demo/manifest.csv"), Load("dataset:\n  synthetic: { patients: 8 }\n").Dataset.Path);
    }

    [Fact]
    public void An_npz_dataset_takes_no_mask_column()
    {
        _dir.Write("d.npz", "");
        var e = Error("task: segmentation\ndataset:\n  npz: d.npz\n  mask_column: mask\n");
        Assert.Equal("dataset.npz", e.Path);
        Assert.Contains("{part}_masks", e.Message);
    }

    [Fact]
    public void The_manifest_gives_each_sample_label_zero_and_its_mask_path()
    {
        var m = CsvManifestReader.Read(Load(Valid).Dataset, TaskKind.Segmentation);
        Assert.Equal(TaskKind.Segmentation, m.Task);
        Assert.Equal(["background", "foreground"], m.Classes);
        Assert.All(m.Samples, s => Assert.Equal([0], s.Labels));
        Assert.Equal([_dir.File("data/masks/a.png"), _dir.File("data/masks/b.png")], m.Samples.Select(s => s.MaskPath));
    }

    [Fact]
    public void An_empty_mask_cell_names_the_file_line_and_column()
    {
        var path = _dir.Write("data/m.csv", "image,mask,patient\nimg/a.png,masks/a.png,p1\nimg/b.png,,p2\n");
        var e = Assert.Throws<DataException>(() => CsvManifestReader.Read(Load(Valid).Dataset, TaskKind.Segmentation));
        Assert.Equal($"{path}:3: column 'mask' is empty; task segmentation needs a mask for every image", e.Message);
    }

    [Fact]
    public void A_mask_column_missing_from_the_header_names_the_key()
    {
        var path = _dir.Write("data/m.csv", "image,patient\nimg/a.png,p1\n");
        var e = Assert.Throws<DataException>(() => CsvManifestReader.Read(Load(Valid).Dataset, TaskKind.Segmentation));
        Assert.Equal($"{path}: column 'mask' (dataset.mask_column) is not in the header line", e.Message);
    }
}
