using System.Globalization;
using System.Text.Json;
using CsvHelper;

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
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal(rows[0].Length, r.Length));
        // The chosen configuration ("learning_rate=…, optimizer=…") holds a comma and stays one field.
        Assert.All(rows.Skip(1), r => Assert.Matches("^learning_rate=[^,]+, optimizer=(adam|sgd)$", r[Array.IndexOf(rows[0], "config")]));

        var predictions = ReadCsv(dir.File("run/o0/refit/predictions.csv"));
        Assert.Equal(["sample_id", "set", "true", "p_normal", $"p_{OddClass}", "predicted"], predictions[0]);
        Assert.Contains(predictions.Skip(1), r => r[2] == OddClass);
        Assert.All(predictions, r => Assert.Equal(6, r.Length));
    }

    [Fact]
    public void A_refit_predictions_file_missing_when_the_report_is_built_ends_the_study_incomplete_naming_the_file()
    {
        using var dir = new TempDir();
        dir.Write("spec.yaml", SimulatedSpecs.Yaml("gone", 0.2, trials: 2, outer: 2, inner: 2, maxEpochs: 3, parallelism: 2, devices: 2));
        var lost = dir.File("run/o0/refit/predictions.csv");
        using var run = new NachosProcess(dir.Path, "run", "spec.yaml", "--run-dir", "run");
        // The refit writes its predictions inside its last epoch (0.2 s before its result is sent): removed as soon as they appear.
        var deleted = false;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!deleted && !run.HasExited && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(5);
            try
            {
                if (File.Exists(lost)) { File.Delete(lost); deleted = true; }
            }
            catch (IOException) { }
        }
        Assert.True(deleted, $"the refit of outer fold 0 never wrote {lost}\n{run.Output}\n{run.Error}");
        var code = run.Wait(TimeSpan.FromMinutes(2));

        Assert.True(code == 1, $"exit {code}\n{run.Output}\n{run.Error}");
        Assert.Contains(lost, run.Error);
        using var report = JsonDocument.Parse(File.ReadAllText(dir.File("run/report.json")));
        var root = report.RootElement;
        Assert.False(root.GetProperty("complete").GetBoolean());
        var problem = Assert.Single(root.GetProperty("problems").EnumerateArray()).GetString()!;
        Assert.Contains("outer fold 0", problem);
        Assert.Contains(lost, problem);
        // No bootstrap interval from fewer folds than the per-fold metrics show.
        Assert.All(root.GetProperty("metrics").EnumerateArray(), m => Assert.Equal(JsonValueKind.Null, m.GetProperty("bootstrap_low").ValueKind));

        // A later start republishes the same verdict: still incomplete, still failing.
        var again = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "run");
        Assert.True(again.Code == 1, $"exit {again.Code}\n{again.Output}\n{again.Error}");
        Assert.Contains(lost, again.Error);
    }
}
