using Nachos.Shared.Data;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Tests;

public sealed class CsvManifestTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private DatasetSpec Dataset(
        string csv,
        IReadOnlyList<string>? labels = null,
        IReadOnlyList<string>? classes = null,
        string? group = null,
        string? site = null,
        string? fold = null,
        string? mask = null) =>
        new(DatasetFormat.Csv, _dir.Write("sub/manifest.csv", csv), "image",
            labels ?? ["label"], classes ?? ["neg", "pos"], group, site, fold, mask,
            BadImagePolicy.Error, ["train", "val", "test"], null);

    [Fact]
    public void Reads_labels_groups_sites_folds_and_resolves_paths_against_the_manifest_folder()
    {
        var spec = Dataset("""
            image,label,patient,site,fold,mask
            img/a.png,neg,p1,s1,f1,masks/a.png
            img/b.png,pos,p1,s1,f2,
            img/c.png,pos,p2,s2,f1,masks/c.png
            """, group: "patient", site: "site", fold: "fold", mask: "mask");
        var m = CsvManifestReader.Read(spec, TaskKind.Binary);

        Assert.Equal(TaskKind.Binary, m.Task);
        Assert.Equal(["neg", "pos"], m.Classes);
        Assert.Equal(["img/a.png", "img/b.png", "img/c.png"], m.Samples.Select(s => s.Id));
        Assert.Equal([0, 1, 1], m.Samples.Select(s => s.Labels.Single()));
        Assert.Equal(["p1", "p1", "p2"], m.Samples.Select(s => s.Group));
        Assert.Equal(["s1", "s1", "s2"], m.Samples.Select(s => s.Site));
        Assert.Equal(["f1", "f2", "f1"], m.Samples.Select(s => s.Fold));
        Assert.Equal([2, 3, 4], m.Samples.Select(s => s.Line));
        Assert.Equal(_dir.File("sub/img/a.png"), m.Samples[0].ImagePath);
        Assert.Equal(_dir.File("sub/masks/a.png"), m.Samples[0].MaskPath);
        Assert.Null(m.Samples[1].MaskPath);
        Assert.Same(m.Samples[2], m.ById["img/c.png"]);
    }

    [Fact]
    public void Without_a_group_column_each_image_is_its_own_group()
    {
        var m = CsvManifestReader.Read(Dataset("image,label\na.png,neg\nb.png,pos\n"), TaskKind.Binary);
        Assert.Equal(["a.png", "b.png"], m.Samples.Select(s => s.Group));
        Assert.All(m.Samples, s => Assert.Null(s.Site));
    }

    [Fact]
    public void Multiclass_labels_are_indices_in_declared_class_order()
    {
        var spec = Dataset("image,label\na.png,c\nb.png,a\nc.png,b\n", classes: ["c", "b", "a"]);
        var m = CsvManifestReader.Read(spec, TaskKind.Multiclass);
        Assert.Equal([0, 2, 1], m.Samples.Select(s => s.Labels.Single()));
    }

    [Fact]
    public void Label_outside_the_declared_classes_names_file_line_and_column_but_not_the_value()
    {
        var spec = Dataset("image,label\na.png,neg\nb.png,pos\nc.png,maybe\nd.png,neg\n");
        var ex = Assert.Throws<DataException>(() => CsvManifestReader.Read(spec, TaskKind.Binary));
        Assert.Contains($"{spec.Path}:4:", ex.Message);
        Assert.Contains("'label'", ex.Message);
        Assert.Contains("(neg, pos)", ex.Message); // the declared classes come from the spec
        Assert.DoesNotContain("maybe", ex.Message); // the file's content is never quoted: it may not be a manifest at all
    }

    [Fact]
    public void Label_case_matters()
    {
        var spec = Dataset("image,label\na.png,Neg\n");
        var ex = Assert.Throws<DataException>(() => CsvManifestReader.Read(spec, TaskKind.Binary));
        Assert.Contains($"{spec.Path}:2:", ex.Message);
        Assert.Contains("does not hold a declared class", ex.Message);
    }

    [Fact]
    public void Line_numbers_are_file_lines_even_after_a_quoted_field_with_a_line_break()
    {
        // Line 2 holds a quoted image name with an embedded newline, so the bad row starts on line 4.
        var spec = Dataset("image,label\n\"odd\nname.png\",neg\nc.png,maybe\n");
        var ex = Assert.Throws<DataException>(() => CsvManifestReader.Read(spec, TaskKind.Binary));
        Assert.Contains($"{spec.Path}:4:", ex.Message);
    }

    [Fact]
    public void Line_numbers_are_file_lines_even_after_a_blank_line()
    {
        var spec = Dataset("image,label\na.png,neg\n\nc.png,maybe\n");
        var ex = Assert.Throws<DataException>(() => CsvManifestReader.Read(spec, TaskKind.Binary));
        Assert.Contains($"{spec.Path}:4:", ex.Message);
    }

    [Fact]
    public void Missing_label_column_is_named()
    {
        var spec = Dataset("image,diagnosis\na.png,neg\n");
        var ex = Assert.Throws<DataException>(() => CsvManifestReader.Read(spec, TaskKind.Binary));
        Assert.Contains("'label'", ex.Message);
        Assert.Contains("label_columns", ex.Message);
        Assert.DoesNotContain("diagnosis", ex.Message); // the header line is the file's content
    }

    [Fact]
    public void Missing_group_column_is_named()
    {
        var spec = Dataset("image,label,patient\na.png,neg,p1\n", group: "subject");
        var ex = Assert.Throws<DataException>(() => CsvManifestReader.Read(spec, TaskKind.Binary));
        Assert.Contains("'subject'", ex.Message);
        Assert.Contains("group_column", ex.Message);
    }

    [Fact]
    public void Empty_group_value_is_an_error_with_its_line()
    {
        var spec = Dataset("image,label,patient\na.png,neg,p1\nb.png,pos,\n", group: "patient");
        var ex = Assert.Throws<DataException>(() => CsvManifestReader.Read(spec, TaskKind.Binary));
        Assert.Contains($"{spec.Path}:3:", ex.Message);
        Assert.Contains("'patient'", ex.Message);
    }

    [Fact]
    public void Multilabel_reads_one_zero_or_one_per_label_column()
    {
        var spec = Dataset("""
            image,effusion,nodule,mass
            a.png,1,0,0
            b.png,0,0,0
            c.png,1,1,true
            """, labels: ["effusion", "nodule", "mass"], classes: []);
        var m = CsvManifestReader.Read(spec, TaskKind.Multilabel);
        Assert.Equal(["effusion", "nodule", "mass"], m.Classes);
        Assert.Equal([1, 0, 0], m.Samples[0].Labels);
        Assert.Equal([0, 0, 0], m.Samples[1].Labels);
        Assert.Equal([1, 1, 1], m.Samples[2].Labels);
        Assert.Equal("100", m.Samples[0].Stratum);
    }

    [Fact]
    public void Multilabel_value_other_than_zero_or_one_names_line_and_column()
    {
        var spec = Dataset("image,effusion,nodule\na.png,1,0\nb.png,0,2\n", labels: ["effusion", "nodule"], classes: []);
        var ex = Assert.Throws<DataException>(() => CsvManifestReader.Read(spec, TaskKind.Multilabel));
        Assert.Contains($"{spec.Path}:3:", ex.Message);
        Assert.Contains("'nodule'", ex.Message);
        Assert.Contains("must be 0 or 1", ex.Message);
    }

    [Fact]
    public void Duplicate_image_row_names_both_lines()
    {
        var spec = Dataset("image,label\na.png,neg\nb.png,pos\na.png,pos\n");
        var ex = Assert.Throws<DataException>(() => CsvManifestReader.Read(spec, TaskKind.Binary));
        Assert.Contains($"{spec.Path}:4:", ex.Message);
        Assert.Contains("line 2", ex.Message);
        Assert.DoesNotContain("a.png", ex.Message);
    }

    [Fact]
    public void Empty_manifests_are_rejected()
    {
        Assert.Throws<DataException>(() => CsvManifestReader.Read(Dataset(""), TaskKind.Binary));
        var ex = Assert.Throws<DataException>(() => CsvManifestReader.Read(Dataset("image,label\n"), TaskKind.Binary));
        Assert.Contains("no images", ex.Message);
    }
}
