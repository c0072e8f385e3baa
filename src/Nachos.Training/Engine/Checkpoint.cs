using System.Text.Json;
using Nachos.Shared.Tasks;
using Nachos.Shared.Study;

namespace Nachos.Training.Engine;

/// <summary>
/// Where a training stands: the next (epoch, batch) to run, the running loss of a part-done epoch, the
/// history, early-stopping state and normalisation. Random streams are derived from (seed, epoch, position),
/// so this plus the model and optimiser state is all a resumed run needs to continue bit for bit.
/// </summary>
public sealed record CheckpointState(
    string TaskId,
    string Fingerprint,
    int Epoch,
    int NextBatch,
    double LossSum,
    int LossCount,
    IReadOnlyList<EpochRecord> History,
    EarlyStopping Stopping,
    float[] Mean,
    float[] Std);

/// <summary>A checkpoint folder (model.pt, optimizer.pt, best.pt, state.json), replaced atomically on each save.</summary>
public sealed class Checkpoint(string taskDirectory)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string Folder { get; } = RunLayout.CheckpointFolder(taskDirectory);
    public string ModelPath => Path.Combine(Folder, "model.pt");
    public string OptimizerPath => Path.Combine(Folder, "optimizer.pt");
    public string BestPath => Path.Combine(Folder, "best.pt");

    public bool Exists => File.Exists(Path.Combine(Folder, "state.json")) || File.Exists(Path.Combine(Folder + ".old", "state.json"));

    /// <summary>Writes into a fresh folder, then swaps it in; a crash mid-save leaves the previous checkpoint readable.</summary>
    public void Save(CheckpointState state, Action<string, string> writeModelAndOptimizer, string? liveBest)
    {
        var tmp = Folder + ".new";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        Directory.CreateDirectory(tmp);
        writeModelAndOptimizer(Path.Combine(tmp, "model.pt"), Path.Combine(tmp, "optimizer.pt"));
        if (liveBest is not null && File.Exists(liveBest)) File.Copy(liveBest, Path.Combine(tmp, "best.pt"), true);
        File.WriteAllText(Path.Combine(tmp, "state.json"), JsonSerializer.Serialize(state, Json));
        var old = Folder + ".old";
        if (Directory.Exists(old)) Directory.Delete(old, true);
        if (Directory.Exists(Folder)) Directory.Move(Folder, old);
        Directory.Move(tmp, Folder);
        if (Directory.Exists(old)) Directory.Delete(old, true);
    }

    public CheckpointState Load()
    {
        // A crash between the two moves of Save leaves only ".old": it is the latest complete checkpoint.
        if (!File.Exists(Path.Combine(Folder, "state.json")) && Directory.Exists(Folder + ".old"))
        {
            if (Directory.Exists(Folder)) Directory.Delete(Folder, true);
            Directory.Move(Folder + ".old", Folder);
        }
        return JsonSerializer.Deserialize<CheckpointState>(File.ReadAllText(Path.Combine(Folder, "state.json")), Json)
               ?? throw new InvalidDataException($"{Folder}: empty checkpoint state");
    }
}
