using System.Collections.Immutable;
using Nachos.Shared.Study;
using Nachos.Shared.TaskProcess;
using Nachos.Shared.Tasks;
using Nachos.Tests;

namespace Nachos.Shared.Tests;

/// <summary>task.json, result.json and failure.json: the node–child contract, independent of the wire's messages.</summary>
public sealed class ChildFilesTests : IDisposable
{
    private readonly TempDir _dir = new();

    private static readonly TaskSpec Task = TaskSpec.ForSplit("s1", 1, 2, 0,
        new Hyperparameters(ImmutableSortedDictionary<string, string>.Empty.Add("learning_rate", "0.001").Add("optimizer", "adam")), 20, 77);

    private static readonly TrainingResult Result = new("s1/o1/t2/s0", 3, 5, 0.42,
        new Dictionary<string, double?> { ["auroc"] = 0.8, ["f1"] = double.NaN, ["ece"] = null }, new Dictionary<string, double?>(),
        "history.csv", "predictions.csv", 12.5, "cpu");

    [Fact]
    public void A_task_round_trips()
    {
        var file = _dir.File("task.json");
        ChildTaskFile.Write(file, Task);
        Assert.Equal(Task, ChildTaskFile.Read(file));
    }

    [Fact]
    public void A_result_round_trips_with_NaN_and_null_metrics()
    {
        var file = _dir.File("result.json");
        ChildResultFile.Write(file, Result);
        var read = ChildResultFile.Read(file);
        Assert.Equal(Result with { ValidationMetrics = null!, TestMetrics = null! }, read with { ValidationMetrics = null!, TestMetrics = null! });
        Assert.Equal(Result.ValidationMetrics, read.ValidationMetrics);
        Assert.Empty(read.TestMetrics);
    }

    [Fact]
    public void A_result_round_trips_with_its_validation_curves_and_reads_without_them()
    {
        var file = _dir.File("result.json");
        ChildResultFile.Write(file, Result with { ValidationCurves = new Dictionary<string, IReadOnlyList<double?>> { ["auroc"] = [0.6, null, 0.8], ["loss"] = [0.7, 0.5, 0.42] } });
        var read = ChildResultFile.Read(file);
        Assert.Equal([0.6, null, 0.8], read.Curve("auroc")!);
        Assert.Equal([0.7, 0.5, 0.42], read.Curve("loss")!);
        Assert.Null(read.Curve("f1"));
        ChildResultFile.Write(file, Result);
        Assert.DoesNotContain("validation_curves", File.ReadAllText(file));
        Assert.Null(ChildResultFile.Read(file).ValidationCurves);
    }

    [Fact]
    public void A_failure_round_trips()
    {
        var file = _dir.File("failure.json");
        ChildFailureFile.Write(file, new TaskFailure(FailureKind.Diverged, "loss is NaN at epoch 2"));
        Assert.Equal(new TaskFailure(FailureKind.Diverged, "loss is NaN at epoch 2"), ChildFailureFile.Read(file));
    }

    [Fact]
    public void The_task_file_is_read_by_its_fixed_property_names()
    {
        var file = _dir.Write("task.json", """
            { "format": 1, "task_id": "s1/o1/t2/s0", "study_id": "s1", "outer": 1, "trial": 2, "inner": 0,
              "hyperparameters": { "optimizer": "adam", "learning_rate": "0.001" }, "max_epochs": 20, "seed": 77 }
            """);
        Assert.Equal(Task, ChildTaskFile.Read(file));
    }

    [Fact]
    public void The_result_file_is_read_by_its_fixed_property_names()
    {
        var file = _dir.Write("result.json", """
            { "format": 1, "task_id": "s1/o1/t2/s0", "best_epoch": 3, "epochs_run": 5, "validation_loss": 0.42,
              "validation_metrics": { "auroc": 0.8, "f1": "NaN", "ece": null }, "test_metrics": {},
              "history": "history.csv", "predictions": "predictions.csv", "seconds": 12.5, "device": "cpu" }
            """);
        var read = ChildResultFile.Read(file);
        Assert.Equal((3, 5, 0.42, 12.5, "cpu"), (read.BestEpoch, read.EpochsRun, read.ValidationLoss, read.Seconds, read.Device));
        Assert.Equal(Result.ValidationMetrics, read.ValidationMetrics);
        var failure = _dir.Write("failure.json", """{ "format": 1, "kind": "out_of_memory", "message": "CUDA out of memory" }""");
        Assert.Equal(new TaskFailure(FailureKind.OutOfMemory, "CUDA out of memory"), ChildFailureFile.Read(failure));
    }

    [Fact]
    public void The_written_task_file_holds_the_fixed_names_not_the_wire_ones()
    {
        var file = _dir.File("task.json");
        ChildTaskFile.Write(file, Task);
        var text = File.ReadAllText(file);
        foreach (var name in new[] { "\"format\": 1", "\"task_id\"", "\"study_id\"", "\"max_epochs\"", "\"hyperparameters\"" }) Assert.Contains(name, text);
        Assert.DoesNotContain("TaskId", text);
    }

    [Theory]
    [InlineData("""{ "format": 2, "task_id": "x" }""", "task file format 2, this nachos reads format 1")]
    [InlineData("""{ "task_id": "s1/o1/t2/s0" }""", "no integer 'format'")]
    [InlineData("""{ "format": "1" }""", "no integer 'format'")]
    [InlineData("""[1, 2]""", "expected a JSON object")]
    [InlineData("""{ "format": 1, "task_id": "s1/o1/t2/s0", "study_id": "s1" """, "malformed JSON at line 1")]
    [InlineData("""{ "format": 1, "task_id": "s1/o1/t2/s0" }""", "a required field is missing or null")]
    [InlineData("""{ "format": 1, "task_id": "s1/o1/t2/s0", "study_id": "s1", "outer": "SECRET", "trial": 2, "inner": 0, "hyperparameters": {}, "max_epochs": 20, "seed": 77 }""", "bad value at $.outer")]
    public void A_bad_task_file_is_a_clear_error_naming_the_file_without_its_content(string content, string expected)
    {
        var file = _dir.Write("task.json", content);
        var e = Assert.Throws<ChildFileException>(() => ChildTaskFile.Read(file));
        Assert.StartsWith($"{file}: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("SECRET", e.Message);
        Assert.DoesNotContain("s1/o1", e.Message);
    }

    [Fact]
    public void A_result_of_another_format_is_refused()
    {
        var file = _dir.Write("result.json", """{ "format": 7 }""");
        var e = Assert.Throws<ChildFileException>(() => ChildResultFile.Read(file));
        Assert.Equal($"{file}: result file format 7, this nachos reads format 1 (written by another nachos version)", e.Message);
    }

    public void Dispose() => _dir.Dispose();
}
