namespace Nachos.EndToEnd.Tests;

[Collection(FinishedStudiesCollection.Name)]
public sealed class ReportCommandTests(FinishedStudies studies)
{
    [Fact]
    public void Report_prints_the_table_and_gives_the_stored_json_and_csv()
    {
        var runDir = studies.Simulated.RunDir;
        using var dir = new TempDir();

        var table = NachosProcess.Run(dir.Path, "report", runDir);
        Assert.True(table.Code == 0, table.Error);
        Assert.Contains("sim: outer folds", table.Output);
        Assert.Contains("95% CI (t)", table.Output);

        var json = NachosProcess.Run(dir.Path, "report", runDir, "--format", "json");
        Assert.Equal(0, json.Code);
        Assert.Equal(File.ReadAllText(Path.Combine(runDir, "report.json")).TrimEnd(), json.Output.TrimEnd());

        var csv = NachosProcess.Run(dir.Path, "report", runDir, "--format", "csv", "--out", "out/report.csv");
        Assert.Equal(0, csv.Code);
        Assert.Equal(File.ReadAllText(Path.Combine(runDir, "report.csv")), File.ReadAllText(dir.File("out/report.csv")));

        var plain = NachosProcess.Run(dir.Path, "report", runDir, "--out", "table.txt");
        Assert.Equal(0, plain.Code);
        var text = File.ReadAllText(dir.File("table.txt"));
        Assert.Contains("test metrics across outer folds", text);
        Assert.DoesNotContain('\u001b', text);
    }

    [Fact]
    public void Report_states_the_result_in_words_first_on_the_terminal_and_in_the_html_export()
    {
        var runDir = studies.Simulated.RunDir;
        using var dir = new TempDir();
        var auroc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "report.json"))).RootElement
            .GetProperty("metrics").EnumerateArray().First(m => m.GetProperty("metric").GetString() == "auroc")
            .GetProperty("summary").GetProperty("mean").GetDouble();

        var plain = NachosProcess.Run(dir.Path, "report", runDir, "--out", "table.txt");
        Assert.Equal(0, plain.Code);
        var text = File.ReadAllText(dir.File("table.txt"));
        var headline = $"sim: mean test AUROC {auroc.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)} over 3 of 3 outer folds";
        Assert.Contains(headline, text);
        Assert.True(text.IndexOf("Simulated trainer", StringComparison.Ordinal) < text.IndexOf(headline, StringComparison.Ordinal), text);
        Assert.True(text.IndexOf(headline, StringComparison.Ordinal) < text.IndexOf("sim: outer folds", StringComparison.Ordinal), text);
        Assert.Contains("Leakage audit: passed", text);
        Assert.Contains($"software {File.ReadAllText(Path.Combine(runDir, "software.txt")).Trim()[..20]}", text);

        var html = NachosProcess.Run(dir.Path, "report", runDir, "--format", "html", "--out", "export.html");
        Assert.Equal(0, html.Code);
        var page = File.ReadAllText(dir.File("export.html"));
        Assert.Contains($"<p class=\"headline\" id=\"headline\">{headline}", page);
        Assert.Contains("id=\"simulated\"", page);
    }

    [Fact]
    public void Report_without_a_finished_study_fails_and_names_the_path()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("unfinished"));

        var unfinished = NachosProcess.Run(dir.Path, "report", "unfinished", "--format", "html", "--out", "x.html");
        Assert.Equal(2, unfinished.Code);
        Assert.Contains(Path.Combine(dir.Path, "unfinished", "report.json"), unfinished.Error);
        Assert.False(File.Exists(dir.File("x.html")));

        var missing = NachosProcess.Run(dir.Path, "report", "nowhere");
        Assert.Equal(2, missing.Code);
        Assert.Contains(Path.Combine(dir.Path, "nowhere"), missing.Error);

        var format = NachosProcess.Run(dir.Path, "report", studies.Simulated.RunDir, "--format", "pdf");
        Assert.NotEqual(0, format.Code);
        Assert.Contains("pdf", format.Error);
    }

    [Fact]
    public void Study_report_is_report_under_another_name()
    {
        var runDir = studies.Simulated.RunDir;
        using var dir = new TempDir();
        foreach (var format in new[] { "table", "json", "csv" })
        {
            var report = NachosProcess.Run(dir.Path, "report", runDir, "--format", format);
            var study = NachosProcess.Run(dir.Path, "study", "report", runDir, "--format", format);
            Assert.True(report.Code == 0, report.Error);
            Assert.Equal(report, study);
        }

        // A study id without --host: the study's folder in the campaign directory --root.
        var campaign = dir.File("campaign");
        DirectoryCopy.Copy(runDir, Path.Combine(campaign, "studies", "sim"));
        var byId = NachosProcess.Run(dir.Path, "study", "report", "sim", "--root", campaign, "--format", "json");
        Assert.True(byId.Code == 0, byId.Error);
        Assert.Equal(File.ReadAllText(Path.Combine(runDir, "report.json")).TrimEnd(), byId.Output.TrimEnd());
        var unknown = NachosProcess.Run(dir.Path, "report", "nope", "--root", campaign);
        Assert.Equal(2, unknown.Code);
        Assert.Contains(Path.Combine(campaign, "studies", "nope"), unknown.Error);
    }

}
