using System.Text.Json.Serialization;
using System.Text.Json;
using Nachos.Shared.Files;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Robustness;

/// <summary>
/// One condition of a fold's stress test: the refit's predictions on its outer test fold (classification: scored later at the
/// fold's decision threshold, which the study's report chooses) or its metrics (segmentation: scored by the task head).
/// </summary>
/// <param name="Transform">A shift's name, or <see cref="ShiftCondition.None"/> for the baseline (severity 0).</param>
/// <param name="Cell">A cell of the channel grid (<see cref="Transform"/> is then <see cref="ChannelGrid.Name"/>, severity 0); null for the other conditions.</param>
public sealed record StressScore(string Transform, int Severity, IReadOnlyList<Prediction>? Predictions, IReadOnlyDictionary<string, double?>? Metrics,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ChannelGridCell? Cell = null);

/// <summary>
/// stress.json in a stress task's folder (o{k}/stress): outer fold <paramref name="Outer"/>'s refit on its outer test fold,
/// unshifted (<see cref="Conditions"/>[0]) and under each shift and severity. robustness.json is built from these files.
/// </summary>
public sealed record StressFold(int Format, int Outer, IReadOnlyList<StressScore> Conditions)
{
    public const int FormatVersion = 1;

    /// <summary>What a stress task reports to the queue: no epochs and no metrics (its scores are this file, named as its predictions).</summary>
    public static TrainingResult Result(string taskId, double seconds, string device) =>
        new(taskId, 0, 0, null, new Dictionary<string, double?>(), new Dictionary<string, double?>(), "", RunLayout.Stress, seconds, device);

    public StressScore? At(string transform, int severity) => Conditions.FirstOrDefault(c => c.Cell is null && c.Transform == transform && c.Severity == severity);

    public StressScore? At(ChannelGridCell cell) => Conditions.FirstOrDefault(c => c.Cell == cell);

    /// <summary>Written atomically: a task killed while writing leaves no half file, and its next attempt writes it again.</summary>
    public void Write(string taskDir) => AtomicFile.WriteAllText(RunLayout.StressPath(taskDir), JsonSerializer.Serialize(this, FileJson.Options));

    /// <exception cref="InvalidDataException">Malformed, or of another format.</exception>
    public static StressFold Read(string path)
    {
        var fold = FileJson.Read<StressFold>(path, "a stress test's result");
        if (fold is null || fold.Format != FormatVersion || fold.Conditions is null)
            throw new InvalidDataException($"{path}: not a stress test's result of format {FormatVersion}");
        return fold;
    }
}
