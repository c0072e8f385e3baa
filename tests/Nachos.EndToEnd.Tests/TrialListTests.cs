using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Nachos.Host.Dashboard;
using Nachos.Shared.Study;

namespace Nachos.EndToEnd.Tests;

/// <summary><c>nachos trial list --format csv|json</c> against a real node serving a study finished by <c>nachos run</c>, and the dashboard's trials.csv.</summary>
[Collection(FinishedStudiesCollection.Name)]
public sealed class TrialListTests(FinishedStudies studies, ApiNode node) : IClassFixture<ApiNode>
{
    /// <summary>The simulated study (3 outer folds × 6 trials), served by the node from its campaign directory.</summary>
    private string Served()
    {
        var study = studies.Simulated;
        var served = node.StudyDir("sim");
        if (!Directory.Exists(served))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(served)!);
            Directory.CreateSymbolicLink(served, study.RunDir);
        }
        return study.RunDir;
    }

    [Fact]
    public async Task Csv_ranks_each_folds_trials_by_the_search_metric_and_is_the_dashboards_trials_csv()
    {
        var runDir = Served();
        var report = StudyReport.Read(Path.Combine(runDir, "report.json"));

        var csv = node.Cli("trial", "list", "sim", "--format", "csv");

        Assert.True(csv.Code == 0, $"exit {csv.Code}\n{csv.Output}\n{csv.Error}");
        using var reader = new CsvReader(new StringReader(csv.Output), CultureInfo.InvariantCulture);
        reader.Read();
        reader.ReadHeader();
        Assert.Equal(["fold", "rank_by_inner_auroc"], reader.HeaderRecord!.Take(2));
        Assert.Contains("learning_rate", reader.HeaderRecord!);
        Assert.DoesNotContain(reader.HeaderRecord!, h => h.StartsWith("test", StringComparison.Ordinal)); // no outer test value among the trials
        var rows = new List<(int Fold, int? Rank, int Trial, double? Score, bool Chosen)>();
        while (reader.Read())
            rows.Add((reader.GetField<int>("fold"), reader.GetField("rank_by_inner_auroc") is { Length: > 0 } r ? int.Parse(r, CultureInfo.InvariantCulture) : null,
                reader.GetField<int>("trial"), reader.GetField("inner_auroc") is { Length: > 0 } s ? double.Parse(s, CultureInfo.InvariantCulture) : null, reader.GetField("chosen") == "true"));
        Assert.Equal(3 * 6, rows.Count);
        foreach (var fold in report.Folds)
        {
            var trials = rows.Where(r => r.Fold == fold.Outer).ToList();
            Assert.Equal(1, trials[0].Rank);
            Assert.Equal(fold.ChosenTrial, trials.Single(t => t.Chosen).Trial);
            Assert.Equal(fold.InnerScore!.Value, trials[0].Score!.Value, 12); // the chosen trial's score is the best of its fold
            var scores = trials.Where(t => t.Score is not null).Select(t => t.Score!.Value).ToList();
            Assert.Equal(scores.OrderDescending(), scores);
        }
        Assert.Equal(rows.Select(r => r.Fold).Order(), rows.Select(r => r.Fold)); // fold by fold

        // The dashboard's trials.csv: served by the node, and read from the run directory for the exported page, the same bytes.
        var served = await node.Http.GetStringAsync("studies/sim/trials.csv");
        Assert.Equal(csv.Output.TrimEnd('\n'), served.ReplaceLineEndings("\n").TrimEnd('\n')); // the process's output is read line by line
        Assert.Equal(served, StudyRun.Load(runDir).TrialTable!.Csv());
    }

    [Fact]
    public void Json_of_one_fold_has_numeric_hyperparameters_as_numbers()
    {
        Served();

        var json = node.Cli("trial", "list", "sim", "--format", "json", "--fold", "1");

        Assert.True(json.Code == 0, $"exit {json.Code}\n{json.Output}\n{json.Error}");
        using var doc = JsonDocument.Parse(json.Output);
        var trials = doc.RootElement.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(6, trials.Count);
        Assert.All(trials, t => Assert.Equal(1, t.GetProperty("fold").GetInt32()));
        // Best first; equal scores share a rank and the next skips (1, 2, 2, 4).
        var ranks = trials.Select(t => t.GetProperty("rank").GetInt32()).ToList();
        var scores = trials.Select(t => t.GetProperty("inner_auroc").GetDouble()).ToList();
        Assert.Equal(1, ranks[0]);
        for (var i = 1; i < ranks.Count; i++)
            Assert.Equal(scores[i] == scores[i - 1] ? ranks[i - 1] : i + 1, ranks[i]);
        Assert.All(trials, t => Assert.Equal(JsonValueKind.Number, t.GetProperty("hyperparameters").GetProperty("learning_rate").ValueKind));
    }
}
