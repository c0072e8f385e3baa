using System.Diagnostics;
using Akka.Actor;
using Microsoft.Data.Sqlite;
using Nachos.Actors.Entities;
using Nachos.Actors.Messages;
using Nachos.Actors.Node;
using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.SpecLoading;

namespace Nachos.Bench;

/// <summary>
/// What a large finished study leaves in its journal and what running it again costs: runs a study of
/// empty tasks (4 outer folds × 3 inner splits) on an embedded node, measures the queue's largest snapshot
/// while the study runs (it then holds every completed task) and its snapshot once the finished study is
/// closed (its tasks moved to tasks.json), then starts a node on the same run directory again and times the
/// start command to the republished report.
/// </summary>
public static class GrowthBenchmark
{
    public static async Task<int> Run(string[] args)
    {
        var tasks = BenchArgs.Int(args, "--tasks", 24_004);
        var trials = Math.Max(1, (tasks - 4) / 12);
        var dir = Path.Combine(Path.GetTempPath(), "nachos-bench-growth-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var specPath = OrchestrationOverhead.WriteStudy(dir, trials, parallelism: 16, ms: 0);
            var spec = SpecLoader.LoadFile(specPath);
            var manifest = CsvManifestReader.Read(spec.Dataset, spec.Task);
            var context = new StudyContext(spec, SplitPlanner.Plan(manifest, spec.Split, spec.Seed), manifest, Path.Combine(dir, "run"));
            var catalog = new SingleStudyCatalog(context);

            long largest = 0;
            using var watching = new CancellationTokenSource();
            var watch = Task.Run(async () =>
            {
                while (!watching.IsCancellationRequested)
                {
                    try
                    {
                        if (File.Exists(Path.Combine(context.RunDir, "journal.db"))) largest = Math.Max(largest, LargestSnapshot(context.RunDir));
                    }
                    catch (SqliteException)
                    {
                        // the tables are not created yet
                    }
                    await Task.Delay(20);
                }
            });
            var first = await Study(context, catalog, spec.Name, closed: Path.Combine(context.RunDir, "tasks.json"));
            await watching.CancelAsync();
            await watch;
            var (count, bytes) = Snapshots(context.RunDir);
            var journal = new FileInfo(Path.Combine(context.RunDir, "journal.db")).Length;
            var tasksFile = new FileInfo(Path.Combine(context.RunDir, "tasks.json")).Length;
            var again = await Study(context, catalog, spec.Name);
            Console.WriteLine($"{trials * 12 + 4} tasks: run {first:F2} s; largest queue snapshot while running {largest / 1e6:F1} MB; "
                + $"after the study closed: queue snapshots {count} ({bytes / 1e3:F1} KB), tasks.json {tasksFile / 1e6:F1} MB; journal.db {journal / 1e6:F1} MB; run again {again:F2} s");
            return 0;
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>Seconds from the start command to the report (node start not included); then waits for <paramref name="closed"/> and the queue's snapshot of the closed study.</summary>
    private static async Task<double> Study(StudyContext context, SingleStudyCatalog catalog, string name, string? closed = null)
    {
        await using var node = await NachosNode.StartEmbedded(context.RunDir, catalog, new ScoreOnlyExecutor(catalog), 8);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Listen(Props.Create(() => new Listener(done)), null, typeof(StudyCompleted));
        var clock = Stopwatch.StartNew();
        node.Tell(name, new StartStudy(name, context.Brief));
        await done.Task.WaitAsync(TimeSpan.FromMinutes(30));
        var seconds = clock.Elapsed.TotalSeconds;
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (closed is not null && DateTime.UtcNow < deadline && !(File.Exists(closed) && Snapshots(context.RunDir).Bytes < 10_000))
            await Task.Delay(50);
        return seconds;
    }

    private static (long Count, long Bytes) Snapshots(string runDir)
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(runDir, "journal.db")}");
        db.Open();
        using var query = db.CreateCommand();
        query.CommandText = "SELECT count(*), coalesce(sum(length(snapshot)), 0) FROM snapshot WHERE persistence_id = 'work-queue'";
        using var reader = query.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static long LargestSnapshot(string runDir)
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(runDir, "journal.db")}");
        db.Open();
        using var query = db.CreateCommand();
        query.CommandText = "SELECT coalesce(max(length(snapshot)), 0) FROM snapshot WHERE persistence_id = 'work-queue'";
        return Convert.ToInt64(query.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed class Listener : ReceiveActor
    {
        public Listener(TaskCompletionSource done) => Receive<StudyCompleted>(_ => done.TrySetResult());
    }

}
