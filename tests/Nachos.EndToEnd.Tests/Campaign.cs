using System.Text.Json;
using Nachos.Actors.Serialization;
using Nachos.Shared.Study;
using Nachos.Tests;
using Npgsql;

namespace Nachos.EndToEnd.Tests;

/// <summary>The simulated study the cluster tests run, its fault-free reference report, and the invariants they check.</summary>
internal static class Campaign
{
    public const string Study = "camp";

    /// <summary>outer folds × trials × inner splits + refits</summary>
    public static int Tasks(int trials) => 3 * trials * 2 + 3;

    public static string Spec(double secondsPerEpoch, int trials) => SimulatedSpecs.Yaml(Study, secondsPerEpoch, trials, seed: 8);

    /// <summary>A temp dir holding spec.yaml, and the fault-free report of the same study from an embedded <c>nachos run</c>.</summary>
    public static (TempDir Dir, string Reference) Prepare(double secondsPerEpoch, int trials = 10)
    {
        var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), Spec(secondsPerEpoch, trials));
        File.WriteAllText(dir.File("fast.yaml"), Spec(0, trials));
        var reference = NachosProcess.Run(dir.Path, "run", "fast.yaml", "--run-dir", "reference");
        Assert.True(reference.Code == 0, reference.Output + reference.Error);
        return (dir, File.ReadAllText(dir.File("reference/report.json")));
    }

    public static void Submit(TempDir dir, string root)
    {
        var submit = NachosProcess.Run(dir.Path, "submit", "spec.yaml", "--root", root);
        Assert.True(submit.Code == 0, submit.Output + submit.Error);
    }

    /// <summary>Zero lost and zero duplicated results: the queue persisted exactly one outcome per task.</summary>
    public static Task AssertExactlyOnce(LocalCluster cluster, int trials = 10) => AssertExactlyOnce(cluster.Postgres, trials);

    public static async Task AssertExactlyOnce(string postgres, int trials = 10)
    {
        var outcomes = await PersistedOutcomes(postgres);
        Assert.Equal(Tasks(trials), outcomes.Count);
        Assert.All(outcomes, kv => Assert.True(kv.Value == 1, $"{kv.Key} persisted {kv.Value} times"));
    }

    /// <summary>Every task outcome the queue ever persisted, by task id (a duplicate shows as a count above 1).</summary>
    public static async Task<IReadOnlyDictionary<string, int>> PersistedOutcomes(string postgres)
    {
        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT message FROM journal WHERE persistence_id = 'work-queue' AND manifest = 'task-completed.v1'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new Dictionary<string, int>();
        while (await reader.ReadAsync())
        {
            var completed = JsonSerializer.Deserialize<TaskCompleted>((byte[])reader[0], NachosSerializer.Json)!;
            counts[completed.Outcome.TaskId] = counts.GetValueOrDefault(completed.Outcome.TaskId) + 1;
        }
        return counts;
    }
}
