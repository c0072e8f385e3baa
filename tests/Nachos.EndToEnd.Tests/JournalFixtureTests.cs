using Microsoft.Data.Sqlite;
using Nachos.Tests;

namespace Nachos.EndToEnd.Tests;

/// <summary>Journals written by an earlier build (JournalFixtures/README.md) are read, resumed and finished by this one.</summary>
public sealed class JournalFixtureTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "JournalFixtures", name);

    private static void Copy(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }

    private static Dictionary<string, long> Events(string journal)
    {
        using var db = new SqliteConnection($"Data Source={journal};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var query = db.CreateCommand();
        query.CommandText = "SELECT manifest, COUNT(*) FROM journal WHERE manifest LIKE '%.v_' GROUP BY manifest";
        using var rows = query.ExecuteReader();
        var counts = new Dictionary<string, long>();
        while (rows.Read()) counts[rows.GetString(0)] = rows.GetInt64(1);
        return counts;
    }

    [Theory]
    [InlineData("simulated-midway")] // before briefs: the entities wait for their parents to bring them
    [InlineData("simulated-briefed")]
    public void A_study_stopped_by_an_earlier_build_is_resumed_and_finished_with_the_report_that_build_wrote(string name)
    {
        using var dir = new TempDir();
        var fixture = Fixture(name);
        Copy(Path.Combine(fixture, "run"), dir.File("run"));
        File.Copy(Path.Combine(fixture, "spec.yaml"), dir.File("spec.yaml"));
        File.WriteAllText(dir.File("run/spec-source.txt"), dir.File("spec.yaml"));
        var before = Events(dir.File("run/journal.db"));
        Assert.Equal(8, before["task-completed.v1"]);
        Assert.False(before.ContainsKey("study-finished.v1"));
        var written = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var finished = Directory.EnumerateFiles(dir.File("run"), "predictions.csv", SearchOption.AllDirectories).ToList();
        Assert.Equal(8, finished.Count);
        foreach (var f in finished) File.SetLastWriteTimeUtc(f, written);

        var run = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "run");

        Assert.True(run.Code == 0, $"exit {run.Code}\n{run.Output}\n{run.Error}");
        // The earlier build's report, every field unchanged; fields added since (additive, docs/events.md) are allowed beside them.
        var expected = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(fixture, "expected-report.json")))!.AsObject();
        var actual = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(dir.File("run/report.json")))!.AsObject();
        Assert.Equal(["sites"], actual.Select(p => p.Key).Except(expected.Select(p => p.Key)));
        actual.Remove("sites");
        Assert.Equal(expected.ToJsonString(), actual.ToJsonString());
        Assert.Equal(File.ReadAllText(Path.Combine(fixture, "expected-report.csv")), File.ReadAllText(dir.File("run/report.csv")));
        // The 8 tasks the earlier build finished were taken from its journal, not run again.
        var after = Events(dir.File("run/journal.db"));
        Assert.Equal(18, after["task-completed.v1"]);
        Assert.Equal(1, after["study-finished.v1"]);
        Assert.All(finished, f => Assert.Equal(written, File.GetLastWriteTimeUtc(f)));
    }
}
