using Microsoft.Data.Sqlite;

namespace Nachos.EndToEnd.Tests;

/// <summary>The storage under a run fails: a full disk (a real tmpfs), a damaged, missing or foreign journal.</summary>
public sealed class StorageFaultTests
{
    private static string Spec() => SimulatedSpecs.Yaml("sim", 0.02, 24, devices: 2);

    private static string QuickCheck(string journal)
    {
        using var db = new SqliteConnection($"Data Source={journal};Pooling=False");
        db.Open();
        using var check = db.CreateCommand();
        check.CommandText = "PRAGMA quick_check";
        return (string)check.ExecuteScalar()!;
    }

    [Fact]
    public void A_full_disk_stops_the_run_with_one_message_and_the_run_resumes_once_space_is_freed()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), Spec());
        var clean = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "clean");
        Assert.True(clean.Code == 0, $"exit {clean.Code}\n{clean.Output}\n{clean.Error}");

        using var disk = new Tmpfs(dir.File("disk"), 8);
        var runDir = Path.Combine(disk.Path, "run");
        string filler;
        using (var run = new NachosProcess(dir.Path, "run", "spec.yaml", "--run-dir", runDir))
        {
            // Filled once tasks write their artifacts: the next journal write or predictions file meets ENOSPC.
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (DateTime.UtcNow < deadline && !Directory.Exists(Path.Combine(runDir, "o0"))) Thread.Sleep(20);
            Assert.True(Directory.Exists(Path.Combine(runDir, "o0")), $"no task started\n{run.Output}\n{run.Error}");
            filler = disk.Fill("filler");
            var code = run.Wait(TimeSpan.FromMinutes(2));
            Assert.True(code == 1, $"exit {code}\n{run.Output}\n{run.Error}");
            var errors = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal([$"error: the disk holding {runDir} is full; the journal is intact: free space there and run the same command again to resume"], errors);
            Assert.DoesNotContain("   at ", run.Output);
            Assert.DoesNotContain("Exception", run.Output + run.Error);
            Assert.False(File.Exists(Path.Combine(runDir, "report.json")));
        }
        Assert.Equal("ok", QuickCheck(Path.Combine(runDir, "journal.db")));

        File.Delete(filler);
        var resumed = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", runDir);
        Assert.True(resumed.Code == 0, $"exit {resumed.Code}\n{resumed.Output}\n{resumed.Error}");
        Assert.Equal(File.ReadAllText(dir.File("clean/report.json")), File.ReadAllText(Path.Combine(runDir, "report.json")));
    }

    [Fact]
    public void A_full_disk_makes_a_node_leave_with_one_message_and_the_restarted_node_finishes_the_study()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), Spec());
        var clean = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "clean");
        Assert.True(clean.Code == 0, $"exit {clean.Code}\n{clean.Output}\n{clean.Error}");

        using var disk = new Tmpfs(dir.File("disk"), 8);
        var root = Path.Combine(disk.Path, "campaign");
        var submitted = NachosProcess.Run(dir.Path, "submit", "spec.yaml", "--root", root);
        Assert.True(submitted.Code == 0, $"exit {submitted.Code}\n{submitted.Output}\n{submitted.Error}");
        var study = Path.Combine(root, "studies", "sim");
        string[] node = ["node", "--root", root, "--devices", "cpu:2", "--port", "0", "--api-port", "0"];
        string filler;
        using (var first = new NachosProcess(dir.Path, node))
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (DateTime.UtcNow < deadline && !Directory.Exists(Path.Combine(study, "o0"))) Thread.Sleep(20);
            Assert.True(Directory.Exists(Path.Combine(study, "o0")), $"no task started\n{first.Output}\n{first.Error}");
            filler = disk.Fill("filler");
            var code = first.Wait(TimeSpan.FromMinutes(2));
            Assert.True(code == 1, $"exit {code}\n{first.Output}\n{first.Error}");
            var errors = first.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal([$"error: the disk holding {root} is full; this node left the cluster and its tasks went back to the queue: free space there and start it again"],
                errors.Where(l => l.StartsWith("error:", StringComparison.Ordinal)));
            Assert.DoesNotContain("   at ", first.Output + first.Error);
            Assert.False(File.Exists(Path.Combine(study, "report.json")));
        }
        Assert.Equal("ok", QuickCheck(Path.Combine(root, "journal.db")));

        File.Delete(filler);
        using var second = new NachosProcess(dir.Path, node);
        var end = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < end && !File.Exists(Path.Combine(study, "report.json")) && !second.HasExited) Thread.Sleep(100);
        Assert.True(File.Exists(Path.Combine(study, "report.json")), $"no report\n{second.Output}\n{second.Error}");
        Assert.Equal(File.ReadAllText(dir.File("clean/report.json")), File.ReadAllText(Path.Combine(study, "report.json")));
    }

    private static void Copy(string from, string to)
    {
        foreach (var d in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, d)));
        Directory.CreateDirectory(to);
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(f, Path.Combine(to, Path.GetRelativePath(from, f)));
    }

    private static void Sql(string journal, string sql)
    {
        using var db = new SqliteConnection($"Data Source={journal};Pooling=False");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static Dictionary<string, DateTime> Predictions(string dir) =>
        Directory.EnumerateFiles(dir, "predictions.csv", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);

    [Fact]
    public void A_truncated_corrupt_deleted_or_foreign_journal_is_refused_at_start_with_exit_2_and_a_recovery_hint()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), Spec());
        File.WriteAllText(dir.File("other.yaml"), SimulatedSpecs.Yaml("other", 0, 2, outer: 2, maxEpochs: 2));
        Assert.Equal(0, NachosProcess.Run(dir.Path, "run", "other.yaml", "--run-dir", "other").Code);
        using (var run = new NachosProcess(dir.Path, "run", "spec.yaml", "--run-dir", "partial"))
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (DateTime.UtcNow < deadline && (!Directory.Exists(dir.File("partial")) || Predictions(dir.File("partial")).Count < 20)) Thread.Sleep(20);
            run.Terminate();
            Assert.Equal(130, run.Wait(TimeSpan.FromMinutes(1)));
        }
        var journal = dir.File("partial/journal.db");
        Sql(journal, "PRAGMA wal_checkpoint(TRUNCATE)"); // every page in journal.db itself
        var length = new FileInfo(journal).Length;
        Assert.True(length >= 8 * 4096, $"journal of {length} bytes");

        var cases = new (string Name, Action<string> Damage, string Expected)[]
        {
            ("truncated", j => { using var f = new FileStream(j, FileMode.Open); f.SetLength(length / 2); }, "is damaged"),
            ("corrupt", j =>
            {
                using var f = new FileStream(j, FileMode.Open);
                f.Position = length / 2 / 4096 * 4096;
                f.Write(Enumerable.Repeat((byte)0xA5, 4096).ToArray());
            }, "is damaged"),
            ("deleted", j => { foreach (var f in new[] { j, j + "-wal", j + "-shm" }) File.Delete(f); }, "but no journal.db"),
            ("foreign", j => File.Copy(dir.File("other/journal.db"), j, overwrite: true), "belongs to study 'other'"),
        };
        foreach (var (name, damage, expected) in cases)
        {
            var runDir = dir.File(name);
            Copy(dir.File("partial"), runDir);
            damage(Path.Combine(runDir, "journal.db"));
            var before = Predictions(runDir);
            var started = DateTime.UtcNow;
            var refused = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", runDir);
            var seconds = (DateTime.UtcNow - started).TotalSeconds;
            Assert.True(refused.Code == 2, $"{name}: exit {refused.Code}\n{refused.Output}\n{refused.Error}");
            Assert.Contains(expected, refused.Error);
            Assert.Contains("Recovering a run directory", refused.Error);
            Assert.Single(refused.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.DoesNotContain("   at ", refused.Output + refused.Error);
            Assert.True(seconds < 30, $"{name}: refused after {seconds:F1} s");
            Assert.Equal(before, Predictions(runDir)); // nothing ran
            Assert.Equal(name != "deleted", File.Exists(Path.Combine(runDir, "journal.db")));
        }

        // The documented recovery: the backup of journal.db put back, the same command finishes the study as a clean run would.
        File.Copy(journal, dir.File("truncated/journal.db"), overwrite: true);
        var recovered = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "truncated");
        Assert.True(recovered.Code == 0, $"exit {recovered.Code}\n{recovered.Output}\n{recovered.Error}");
        var clean = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "clean");
        Assert.Equal(0, clean.Code);
        Assert.Equal(File.ReadAllText(dir.File("clean/report.json")), File.ReadAllText(dir.File("truncated/report.json")));
    }
}
