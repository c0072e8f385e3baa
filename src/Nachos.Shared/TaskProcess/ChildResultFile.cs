using System.Text.Json.Serialization;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.TaskProcess;

/// <summary>result.json: what a <c>nachos task</c> child's successful attempt reports to its node. Paths are relative to the task folder.</summary>
public sealed record ChildResultFile(
    [property: JsonPropertyName("format")] int Format,
    [property: JsonPropertyName("task_id")] string TaskId,
    [property: JsonPropertyName("best_epoch")] int BestEpoch,
    [property: JsonPropertyName("epochs_run")] int EpochsRun,
    [property: JsonPropertyName("validation_loss")] double? ValidationLoss,
    [property: JsonPropertyName("validation_metrics")] IReadOnlyDictionary<string, double?> ValidationMetrics,
    [property: JsonPropertyName("test_metrics")] IReadOnlyDictionary<string, double?> TestMetrics,
    [property: JsonPropertyName("history")] string History,
    [property: JsonPropertyName("predictions")] string Predictions,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("device")] string Device,
    [property: JsonPropertyName("validation_curves"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyDictionary<string, IReadOnlyList<double?>>? ValidationCurves = null)
{
    private const string What = "result file";

    public static void Write(string file, TrainingResult r) =>
        ChildFiles.Write(file, new ChildResultFile(ChildFiles.Format, r.TaskId, r.BestEpoch, r.EpochsRun, r.ValidationLoss, r.ValidationMetrics,
            r.TestMetrics, r.History, r.Predictions, r.Seconds, r.Device, r.ValidationCurves));

    /// <exception cref="ChildFileException">Malformed, or of another format.</exception>
    public static TrainingResult Read(string file)
    {
        var f = ChildFiles.Read<ChildResultFile>(file, What);
        return new TrainingResult(f.TaskId, f.BestEpoch, f.EpochsRun, f.ValidationLoss, f.ValidationMetrics, f.TestMetrics, f.History,
            f.Predictions, f.Seconds, f.Device, f.ValidationCurves);
    }
}
