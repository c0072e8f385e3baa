using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Microsoft.Data.Sqlite;

namespace Nachos.EndToEnd.Tests;

/// <summary>Faults met while a finished study's report is built: odd class names and refit artifacts gone missing.</summary>
public sealed class ReportFaultTests
{
    private const string OddClass = "le\"s,ion";

    private static List<string[]> ReadCsv(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvParser(reader, CultureInfo.InvariantCulture);
        var rows = new List<string[]>();
        while (csv.Read()) rows.Add(csv.Record!);
        return rows;
    }

    [Fact]
    public void A_class_name_holding_a_quote_and_a_comma_runs_to_a_complete_parseable_report_in_bounded_time()
    {
        using var dir = new TempDir();
        var synth = NachosProcess.Run(dir.Path, "dataset", "synth", "--out", "data", "--patients", "24", "--size", "16");
        Assert.True(synth.Code == 0, synth.Error);
        // image,label,mask,patient,site: the lesion class renamed to one that needs quoting (written quoted, as CSV wants).
        var manifest = File.ReadAllLines(dir.File("data/manifest.csv"));
        dir.Write("data/odd.csv", string.Join("\n", manifest.Select(l => l.Replace(",lesion,", ",\"le\"\"s,ion\","))) + "\n");
        dir.Write("spec.yaml", """
            name: odd
            seed: 2
            task: binary
            dataset: { manifest: data/odd.csv, group_column: patient, site_column: site, classes: [normal, 'le"s,ion'] }
            image: { size: 16 }
            split: { scheme: kfold, outer_folds: 2, inner_folds: 2 }
            training: { max_epochs: 3 }
            search: { sampler: random, trials: 2, parallelism: 2, space: { learning_rate: { type: log-uniform, low: 0.001, high: 0.01 }, optimizer: { type: categorical, values: [adam, sgd] } } }
            execution: { trainer: simulated, devices: 2, simulated: { seconds_per_epoch: 0 } }
            """);

        using var run = new NachosProcess(dir.Path, "run", "spec.yaml", "--run-dir", "run");
        var code = run.Wait(TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"exit {code}\n{run.Output}\n{run.Error}");

        using var report = JsonDocument.Parse(File.ReadAllText(dir.File("run/report.json")));
        Assert.True(report.RootElement.GetProperty("complete").GetBoolean());
        var rows = ReadCsv(dir.File("run/report.csv"));
        Assert.Equal("outer_fold", rows[0][0]);
        Assert.Equal(1 + 2 + 5, rows.Count); // the header, two outer folds, the mean and four interval ends
        Assert.Equal(["0", "1", "mean", "ci_t_low", "ci_t_high", "bootstrap_low", "bootstrap_high"], rows.Skip(1).Select(r => r[0]));
        Assert.All(rows, r => Assert.Equal(rows[0].Length, r.Length));
        // The chosen configuration ("learning_rate=…, optimizer=…") holds a comma and stays one field.
        Assert.All(rows.Skip(1).Take(2), r => Assert.Matches("^learning_rate=[^,]+, optimizer=(adam|sgd)$", r[Array.IndexOf(rows[0], "config")]));

        var predictions = ReadCsv(dir.File("run/o0/refit/predictions.csv"));
        Assert.Equal(["sample_id", "set", "true", "p_normal", $"p_{OddClass}", "predicted"], predictions[0]);
        Assert.Contains(predictions.Skip(1), r => r[2] == OddClass);
        Assert.All(predictions, r => Assert.Equal(6, r.Length));
    }

    /// <summary>
    /// Takes the finished study back to the moment before its report: every fold reported, no report yet, as a node that
    /// stopped between the last fold's result and the report leaves it (the study's last event removed from the journal).
    /// </summary>
    private static void UnfinishReport(string runDir, string study)
    {
        using (var db = new SqliteConnection($"Data Source={Path.Combine(runDir, "journal.db")};Pooling=False"))
        {
            db.Open();
            using var delete = db.CreateCommand();
            delete.CommandText = "DELETE FROM journal WHERE persistence_id = $id AND manifest = 'study-finished.v1'";
            delete.Parameters.AddWithValue("$id", "study-" + study);
            Assert.Equal(1, delete.ExecuteNonQuery());
        }
        File.Delete(Path.Combine(runDir, "report.json"));
        File.Delete(Path.Combine(runDir, "report.csv"));
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("damaged")]
    public void A_refit_predictions_file_missing_or_damaged_when_the_report_is_built_ends_the_study_incomplete_naming_the_file(string fault)
    {
        using var dir = new TempDir();
        dir.Write("spec.yaml", SimulatedSpecs.Yaml("gone", 0, trials: 2, outer: 2, inner: 2, maxEpochs: 3, parallelism: 2, devices: 2));
        var first = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "run");
        Assert.True(first.Code == 0, $"exit {first.Code}\n{first.Output}\n{first.Error}");
        UnfinishReport(dir.File("run"), "gone");
        var lost = dir.File("run/o0/refit/predictions.csv");
        File.Delete(lost);
        if (fault == "damaged") File.WriteAllText(lost, "sample_id,set,true,p_normal,p_lesion,predicted\nsecret-id,test,normal,0.5,0.5,normal\n");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var run = new NachosProcess(dir.Path, "run", "spec.yaml", "--run-dir", "run");
        var code = run.Wait(TimeSpan.FromMinutes(2));

        Assert.True(code == 1, $"exit {code}\n{run.Output}\n{run.Error}");
        // Three attempts, 2 s and 5 s apart, then the verdict.
        Assert.InRange(clock.Elapsed.TotalSeconds, 7, 60);
        Assert.Contains($"error: outer fold 0: refit test predictions {lost}", run.Error);
        using var report = JsonDocument.Parse(File.ReadAllText(dir.File("run/report.json")));
        var root = report.RootElement;
        Assert.False(root.GetProperty("complete").GetBoolean());
        var problem = Assert.Single(root.GetProperty("problems").EnumerateArray()).GetString()!;
        Assert.StartsWith($"outer fold 0: refit test predictions {lost}", problem);
        Assert.EndsWith(fault == "missing" ? ": missing" : ":2: column 'sample_id' names no sample of the dataset", problem);
        Assert.DoesNotContain("secret", run.Error + run.Output + problem);
        // The per-fold test metrics are kept; no bootstrap interval from fewer folds than they show.
        Assert.All(root.GetProperty("metrics").EnumerateArray(), m => Assert.Equal(JsonValueKind.Null, m.GetProperty("bootstrap_low").ValueKind));
        Assert.Equal(2, root.GetProperty("metrics")[0].GetProperty("per_fold").GetArrayLength());

        // A later start republishes the same verdict at once: still incomplete, still failing.
        var again = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "run");
        Assert.True(again.Code == 1, $"exit {again.Code}\n{again.Output}\n{again.Error}");
        Assert.Contains(lost, again.Error);
    }
}
