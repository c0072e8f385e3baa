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
}
