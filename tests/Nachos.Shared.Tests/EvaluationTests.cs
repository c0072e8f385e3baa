using System.Globalization;
using Nachos.Shared.Evaluation;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Tests;

/// <summary>
/// nachos evaluate's figures on constructed CSVs with ties, against scikit-learn 1.2 (values printed by
/// Reference/evaluation_reference.py), and its refusals of bad files, each naming the line and column.
/// </summary>
public sealed class EvaluationTests
{
    // sample_id, patient_id, site, truth (1 = lesion), p_lesion; as in Reference/evaluation_reference.py.
    private static readonly (string Id, string Patient, string Site, int Truth, double P)[] Binary =
    [
        ("i01", "P1", "A", 1, 0.9), ("i02", "P1", "A", 0, 0.3), ("i03", "P2", "A", 1, 0.5), ("i04", "P2", "A", 0, 0.5),
        ("i05", "P3", "A", 0, 0.7), ("i06", "P3", "A", 1, 0.7), ("i07", "P4", "B", 1, 0.3), ("i08", "P4", "B", 0, 0.1),
        ("i09", "P5", "B", 0, 0.2), ("i10", "P5", "B", 1, 0.8), ("i11", "P6", "B", 0, 0.6), ("i12", "P6", "B", 1, 0.65),
        ("i13", "P7", "C", 0, 0.05), ("i14", "P7", "C", 0, 0.3), ("i15", "P8", "C", 1, 0.95), ("i16", "P8", "C", 1, 0.3),
        ("i17", "P9", "C", 0, 0.5), ("i18", "P9", "C", 1, 0.45), ("i19", "P10", "C", 0, 0.2), ("i20", "P10", "C", 1, 0.7),
    ];

    private static readonly string[] Names = ["auroc", "accuracy", "balanced_accuracy", "f1", "sensitivity", "specificity"];

    /// <summary>The binary file in the evaluation format (rows shuffled: the order must not matter).</summary>
    public static string BinaryCsv() =>
        "sample_id,patient_id,site,true,p_normal,p_lesion\n" + string.Join("\n", Binary.Reverse().Select(r =>
            $"{r.Id},{r.Patient},{r.Site},{(r.Truth == 1 ? "lesion" : "normal")},{(1 - r.P).ToString("R", CultureInfo.InvariantCulture)},{r.P.ToString("R", CultureInfo.InvariantCulture)}")) + "\n";

    private static void AssertMetrics(double[] expected, EvaluationGroup group)
    {
        Assert.Equal(Names, group.Metrics.Select(m => m.Metric));
        for (var i = 0; i < Names.Length; i++)
            Assert.True(Math.Abs(expected[i] - group.Metrics[i].Value!.Value) < 1e-12, $"{group.Name} {Names[i]}: {group.Metrics[i].Value} != {expected[i]}");
    }

    [Fact]
    public void Binary_metrics_overall_and_per_site_match_sklearn_with_ties_on_and_across_the_threshold()
    {
        using var dir = new TempDir();
        var path = dir.Write("eval.csv", BinaryCsv());

        var task = EvaluationInput.InferTask(path);
        var report = EvaluationReport.Build(EvaluationInput.ReadPredictions(path, task), Breakdown.Site);

        Assert.Equal(TaskKind.Binary, task);
        Assert.Equal(["normal", "lesion"], report.Classes);
        Assert.Equal((20, 10), (report.Overall.Images, report.Overall.Patients));
        AssertMetrics([0.8099999999999999, 0.65, 0.6499999999999999, 0.6666666666666666, 0.7, 0.6], report.Overall);
        Assert.Equal(["A", "B", "C"], report.Groups.Select(g => g.Name));
        Assert.Equal([(6, 3), (6, 3), (8, 4)], report.Groups.Select(g => (g.Images, g.Patients)));
        AssertMetrics([0.7777777777777778, 0.6666666666666666, 0.6666666666666666, 0.7499999999999999, 1.0, 0.3333333333333333], report.Groups[0]);
        AssertMetrics([0.888888888888889, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666], report.Groups[1]);
        AssertMetrics([0.84375, 0.625, 0.625, 0.5714285714285715, 0.5, 0.75], report.Groups[2]);
        // Each CI is the patient bootstrap's: it holds the value, stays in [0, 1] and is not a point.
        Assert.All(report.Overall.Metrics, m => Assert.True(m.Low <= m.Value && m.Value <= m.High && m.Low >= 0 && m.High <= 1 && m.Low < m.High, $"{m.Metric}: {m.Low}–{m.High}"));
    }

    [Fact]
    public void The_bootstrap_resamples_patients_not_images_and_is_reproducible()
    {
        using var dir = new TempDir();
        var path = dir.Write("eval.csv", BinaryCsv());
        var set = EvaluationInput.ReadPredictions(path, TaskKind.Binary);
        // The same images, each its own patient: other resampling units, so other intervals.
        var perImage = set with { Images = set.Images.Select(i => i with { Patient = i.Id }).ToList() };

        var a = EvaluationReport.Build(set, Breakdown.None);
        var b = EvaluationReport.Build(set, Breakdown.None);
        var c = EvaluationReport.Build(perImage, Breakdown.None);

        Assert.Equal(a.ToJson(), b.ToJson());
        Assert.Equal(20, c.Overall.Patients);
        Assert.NotEqual(a.Overall.Metrics.Select(m => (m.Low, m.High)), c.Overall.Metrics.Select(m => (m.Low, m.High)));
        Assert.Equal(a.Overall.Metrics.Select(m => m.Value), c.Overall.Metrics.Select(m => m.Value));
    }

    [Fact]
    public void Per_patient_groups_have_their_values_and_no_interval()
    {
        using var dir = new TempDir();
        var path = dir.Write("eval.csv", BinaryCsv());

        var report = EvaluationReport.Build(EvaluationInput.ReadPredictions(path, TaskKind.Binary), Breakdown.Patient);

        Assert.Equal(10, report.Groups.Count);
        var p1 = report.Groups.Single(g => g.Name == "P1");
        Assert.Equal(1.0, p1.Metrics[0].Value); // 0.9 lesion vs 0.3 normal
        Assert.All(report.Groups.SelectMany(g => g.Metrics), m => Assert.Null(m.Low));
    }

    [Fact]
    public void Multiclass_and_multilabel_metrics_match_sklearn()
    {
        using var dir = new TempDir();
        (int, double[])[] multi = [(0, [0.6, 0.3, 0.1]), (1, [0.2, 0.4, 0.4]), (2, [0.1, 0.3, 0.6]), (2, [0.3, 0.35, 0.35]), (0, [0.4, 0.4, 0.2]),
            (1, [0.1, 0.8, 0.1]), (2, [0.5, 0.2, 0.3]), (0, [0.2, 0.5, 0.3]), (1, [0.3, 0.3, 0.4])];
        var mc = dir.Write("mc.csv", "sample_id,true,p_a,p_b,p_c\n" + string.Join("\n", multi.Select((m, i) =>
            $"m{i},{"abc"[m.Item1]},{string.Join(",", m.Item2.Select(v => v.ToString(CultureInfo.InvariantCulture)))}")));
        (int[], double[])[] ml = [([1, 0], [0.9, 0.2]), ([0, 1], [0.4, 0.6]), ([1, 1], [0.5, 0.5]), ([0, 0], [0.5, 0.1]), ([1, 0], [0.3, 0.7]), ([0, 1], [0.2, 0.3])];
        var mlPath = dir.Write("ml.csv", "sample_id,true_x,true_y,p_x,p_y\n" + string.Join("\n", ml.Select((m, i) =>
            $"l{i},{m.Item1[0]},{m.Item1[1]},{m.Item2[0].ToString(CultureInfo.InvariantCulture)},{m.Item2[1].ToString(CultureInfo.InvariantCulture)}")));

        Assert.Equal(TaskKind.Multiclass, EvaluationInput.InferTask(mc));
        Assert.Equal(TaskKind.Multilabel, EvaluationInput.InferTask(mlPath));
        AssertMetrics([0.7314814814814815, 0.5555555555555556, 0.5555555555555555, 0.546031746031746, 0.5555555555555555, 0.7777777777777778],
            EvaluationReport.Build(EvaluationInput.ReadPredictions(mc, TaskKind.Multiclass), Breakdown.None).Overall);
        AssertMetrics([0.6944444444444444, 0.6666666666666667, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666],
            EvaluationReport.Build(EvaluationInput.ReadPredictions(mlPath, TaskKind.Multilabel), Breakdown.None).Overall);
    }

    [Fact]
    public void Classes_given_reorder_the_columns_so_the_positive_class_is_the_second()
    {
        using var dir = new TempDir();
        var path = dir.Write("eval.csv", "sample_id,true,p_lesion,p_normal\na,lesion,0.8,0.2\nb,normal,0.3,0.7\nc,lesion,0.5,0.5\n");

        var own = EvaluationReport.Build(EvaluationInput.ReadPredictions(path, TaskKind.Binary), Breakdown.None);
        var named = EvaluationReport.Build(EvaluationInput.ReadPredictions(path, TaskKind.Binary, ["normal", "lesion"]), Breakdown.None);

        // In the file's order "normal" is the positive class, and c (p = 0.5 for both) is predicted normal.
        Assert.Equal(0.5, own.Overall.Metrics[5].Value);
        Assert.Equal(2 / 3.0, own.Overall.Metrics[1].Value);
        Assert.Equal(1.0, named.Overall.Metrics[5].Value);
        Assert.Equal(1.0, named.Overall.Metrics[1].Value);
    }

    [Theory]
    [InlineData("", ": no header line")]
    [InlineData("sample_id,true,p_a,p_b\n", ": no prediction rows")]
    [InlineData("image,true,p_a,p_b\nx,a,0.1,0.9\n", ": no column 'sample_id' in the header line")]
    [InlineData("sample_id,true,p_b\nx,b,0.9\n", ": one p_<class> column; a binary task needs one per class (the second is the positive class)")]
    [InlineData("sample_id,true,p_a,p_b\nx,a,0.1,0.9\ny,a,secret,0.9\n", ":3: column 'p_a' is not a number")]
    [InlineData("sample_id,true,p_a,p_b\nx,a,0.1,0.9\ny,a,0.1,NaN\n", ":3: column 'p_b' is NaN")]
    [InlineData("sample_id,true,p_a,p_b\nx,a,0.1,1.5\n", ":2: column 'p_b' is not a probability in [0, 1]")]
    [InlineData("sample_id,true,p_a,p_b\nx,a,-0.1,0.5\n", ":2: column 'p_a' is not a probability in [0, 1]")]
    [InlineData("sample_id,true,p_a,p_b\nx,secret,0.1,0.9\n", ":2: column 'true' names none of the p_ columns' classes")]
    [InlineData("sample_id,true,p_a,p_b\nx,a,0.1,0.9\nz,b,0.2,0.8\nx,b,0.3,0.7\n", ":4: column 'sample_id' repeats the sample of line 2")]
    [InlineData("sample_id,set,true,p_a,p_b\nx,validation,a,0.1,0.9\nx,test,a,0.1,0.9\n", ": column 'set' holds rows of 2 sets; choose one with --set")]
    public void A_bad_file_is_an_error_naming_the_line_and_column_and_quoting_nothing(string content, string expected)
    {
        using var dir = new TempDir();
        var path = dir.Write("eval.csv", content);

        var e = Assert.Throws<InvalidDataException>(() => EvaluationInput.ReadPredictions(path, content.Length == 0 ? TaskKind.Binary : EvaluationInput.InferTask(path)));

        Assert.Equal(path + expected, e.Message);
        Assert.DoesNotContain("secret", e.Message);
    }

    [Fact]
    public void A_missing_mask_file_names_its_line_and_column()
    {
        using var dir = new TempDir();
        var path = dir.Write("seg.csv", "sample_id,mask,true_mask\na,a.png,a.png\nb,b.png,gone.png\n");
        dir.Write("a.png", "");
        dir.Write("b.png", "");

        var e = Assert.Throws<InvalidDataException>(() => EvaluationInput.ReadMaskCases(path));

        Assert.Equal($"{path}:3: column 'true_mask': no such file {dir.File("gone.png")}", e.Message);
    }
}
