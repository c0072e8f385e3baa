using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Tests;

/// <summary>The one predictions.csv format: written and read back for every task kind, older shapes read, damage named without content.</summary>
public sealed class PredictionsFileTests
{
    public static TheoryData<TaskKind> Kinds => new() { TaskKind.Binary, TaskKind.Multiclass, TaskKind.Multilabel };

    private static (string[] Classes, PredictionRow[] Rows) Example(TaskKind task) => task switch
    {
        TaskKind.Binary => (["normal", "le\"s,ion"],
            [new("a", "validation", [1], [0.5, 0.5]), new("b", "test", [0], [0.9, 0.1]), new("c;d", "test", [1], [1e-17, 1 - 1e-17])]),
        TaskKind.Multiclass => (["x", "y", "z"],
            [new("a", "validation", [2], [0.2, 0.3, 0.5]), new("b", "test", [0], [0.4, 0.4, 0.2])]),
        _ => (["p", "q", "r"],
            [new("a", "validation", [1, 0, 1], [0.5, 0.49, 0.99]), new("b", "test", [0, 0, 0], [0.1, 0.2, 0.3])]),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Rows_written_are_read_back_exactly(TaskKind task)
    {
        using var dir = new TempDir();
        var path = dir.File("predictions.csv");
        var (classes, rows) = Example(task);

        PredictionsFile.Write(path, task, classes, rows);
        var table = PredictionsFile.Read(path, task);

        Assert.Equal(classes, table.Classes);
        Assert.Empty(table.ExtraColumns);
        Assert.Equal(rows.Length, table.Rows.Count);
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.Equal(rows[i].SampleId, table.Rows[i].SampleId);
            Assert.Equal(rows[i].Set, table.Rows[i].Set);
            Assert.Equal(rows[i].Labels, table.Rows[i].Labels);
            Assert.Equal(rows[i].Probabilities, table.Rows[i].Probabilities);
            Assert.Null(table.Rows[i].Extra);
        }
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void The_truth_is_a_class_name_or_a_0_1_column_per_label_and_predicted_follows_the_decision_rule()
    {
        using var dir = new TempDir();
        var binary = dir.File("binary.csv");
        var multilabel = dir.File("multilabel.csv");
        var (bc, br) = Example(TaskKind.Binary);
        var (mc, mr) = Example(TaskKind.Multilabel);

        PredictionsFile.Write(binary, TaskKind.Binary, bc, br);
        PredictionsFile.Write(multilabel, TaskKind.Multilabel, mc, mr);

        var b = File.ReadAllLines(binary);
        Assert.Equal("sample_id,set,true,p_normal,\"p_le\"\"s,ion\",predicted", b[0]);
        // p = 0.5 is positive by the rule (an arg-max would have said the first class).
        Assert.Equal("a,validation,\"le\"\"s,ion\",0.5,0.5,\"le\"\"s,ion\"", b[1]);
        var m = File.ReadAllLines(multilabel);
        Assert.Equal("sample_id,set,true_p,true_q,true_r,p_p,p_q,p_r,predicted", m[0]);
        Assert.Equal("a,validation,1,0,1,0.5,0.49,0.99,p;r", m[1]);
        Assert.Equal("b,test,0,0,0,0.1,0.2,0.3,", m[2]);
    }

    [Fact]
    public void Extra_per_image_columns_such_as_a_mask_path_and_a_dice_score_are_carried_through()
    {
        using var dir = new TempDir();
        var path = dir.File("predictions.csv");
        PredictionRow[] rows =
        [
            new("a", "test", [1], [0.2, 0.8], new Dictionary<string, string> { ["mask"] = "masks/a, left.png", ["dice"] = "0.91" }),
            new("b", "test", [0], [0.7, 0.3], new Dictionary<string, string> { ["mask"] = "masks/b.png" }),
        ];

        PredictionsFile.Write(path, TaskKind.Binary, ["bg", "lesion"], rows, ["mask", "dice"]);
        var table = PredictionsFile.Read(path, TaskKind.Binary);

        Assert.Equal("sample_id,set,true,p_bg,p_lesion,predicted,mask,dice", File.ReadLines(path).First());
        Assert.Equal(["bg", "lesion"], table.Classes);
        Assert.Equal(["mask", "dice"], table.ExtraColumns);
        Assert.Equal("masks/a, left.png", table.Rows[0].Extra!["mask"]);
        Assert.Equal("0.91", table.Rows[0].Extra!["dice"]);
        Assert.Equal("", table.Rows[1].Extra!["dice"]);
        Assert.Equal([0.2, 0.8], table.Rows[0].Probabilities);
    }

    [Theory]
    [InlineData("p_extra")]
    [InlineData("true_x")]
    [InlineData("predicted")]
    [InlineData("sample_id")]
    public void An_extra_column_named_like_one_of_the_format_is_refused(string column)
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ArgumentException>(() => PredictionsFile.Write(dir.File("p.csv"), TaskKind.Binary, ["a", "b"], [], [column]));
        Assert.Contains(column, e.Message);
        Assert.False(File.Exists(dir.File("p.csv")));
    }

    [Fact]
    public void A_multilabel_file_of_the_earlier_simulated_trainer_with_semicolon_joined_truth_is_read()
    {
        using var dir = new TempDir();
        var path = dir.File("predictions.csv");
        File.WriteAllLines(path, ["sample_id,set,true,p_p,p_q,predicted", "a,test,1;0,0.8,0.3,p", "b,validation,0;1,0.1,0.9,q"]);

        var table = PredictionsFile.Read(path, TaskKind.Multilabel);

        Assert.Equal(["p", "q"], table.Classes);
        Assert.Equal([1, 0], table.Rows[0].Labels);
        Assert.Equal([0, 1], table.Rows[1].Labels);
        Assert.Equal([0.1, 0.9], table.Rows[1].Probabilities);
        Assert.Empty(table.ExtraColumns);
    }

    [Fact]
    public void A_binary_file_of_the_earlier_simulated_trainer_in_the_journal_fixture_is_read()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "Nachos.EndToEnd.Tests", "JournalFixtures",
            "simulated-midway", "run", "o0", "t0", "s0", "predictions.csv");
        var lines = File.ReadAllLines(path);

        var table = PredictionsFile.Read(path, TaskKind.Binary);

        Assert.Equal(["normal", "lesion"], table.Classes);
        Assert.Equal(lines.Length - 1, table.Rows.Count);
        var first = lines[1].Split(',');
        Assert.Equal(first[0], table.Rows[0].SampleId);
        Assert.Equal([first[2] == "lesion" ? 1 : 0], table.Rows[0].Labels);
        Assert.Equal(double.Parse(first[4], System.Globalization.CultureInfo.InvariantCulture), table.Rows[0].Probabilities[1]);
    }

    [Theory]
    [InlineData(TaskKind.Binary, "", ": no header line")]
    [InlineData(TaskKind.Binary, "sample_id,true,p_a,p_b\nsecret,a,0.1,0.9", ": no column 'set' in the header line")]
    [InlineData(TaskKind.Binary, "sample_id,set,true,predicted\nsecret,test,a,a", ": no p_<class> column in the header line")]
    [InlineData(TaskKind.Multilabel, "sample_id,set,true_a,p_a,p_b\nsecret,test,1,0.1,0.9", ": no column 'true_b' in the header line")]
    [InlineData(TaskKind.Binary, "sample_id,set,true,p_a,p_b\nx,test,secret,0.1,0.9", ":2: column 'true' names none of the p_ columns' classes")]
    [InlineData(TaskKind.Binary, "sample_id,set,true,p_a,p_b\nx,test,a,secret,0.9", ":2: column 'p_a' is not a number")]
    [InlineData(TaskKind.Binary, "sample_id,set,true,p_a,p_b\nx,test,a,0.1,0.9,secret", ":2: 6 fields where the header line has 5")]
    [InlineData(TaskKind.Multilabel, "sample_id,set,true_a,true_b,p_a,p_b\nx,test,1,secret,0.1,0.9", ":2: column 'true_b' holds a label that is not 0 or 1")]
    [InlineData(TaskKind.Multilabel, "sample_id,set,true,p_a,p_b\nx,test,1;0;secret,0.1,0.9", ":2: column 'true' holds a label that is not 0 or 1")]
    [InlineData(TaskKind.Multilabel, "sample_id,set,true,p_a,p_b\nx,test,1,0.1,0.9", ":2: column 'true' has 1 labels for 2 p_ columns")]
    [InlineData(TaskKind.Binary, "sample_id,set,true,p_a,p_b\nx,test,a,0.1,0\"secret", ":2: not valid CSV")]
    public void A_malformed_file_is_an_error_naming_the_file_and_line_and_quoting_nothing_of_it(TaskKind task, string content, string expected)
    {
        using var dir = new TempDir();
        var path = dir.File("predictions.csv");
        File.WriteAllText(path, content);

        var e = Assert.Throws<InvalidDataException>(() => PredictionsFile.Read(path, task));

        Assert.Equal(path + expected, e.Message);
        Assert.DoesNotContain("secret", e.Message);
    }

    [Fact]
    public void A_sample_the_caller_does_not_know_is_an_error_naming_its_line()
    {
        using var dir = new TempDir();
        var path = dir.File("predictions.csv");
        File.WriteAllLines(path, ["sample_id,set,true,p_a,p_b", "known,test,a,0.1,0.9", "secret,test,a,0.1,0.9"]);

        var e = Assert.Throws<InvalidDataException>(() => PredictionsFile.Read(path, TaskKind.Binary, id => id == "known"));

        Assert.Equal($"{path}:3: column 'sample_id' names no sample of the dataset", e.Message);
    }
}
