using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Nachos.Tests;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// The served models pages and a finished study's downloads, over real HTTP against a real <c>nachos node</c>: a study
/// trained by the real <c>nachos run</c> placed in the node's campaign, two of its refits bundled, predicted and
/// registered with the real <c>nachos model</c> commands in the node's own journal database while the node runs.
/// </summary>
[Collection(FinishedStudiesCollection.Name)]
public sealed partial class DashboardModelsTests(FinishedStudies studies, ApiNode node) : IClassFixture<ApiNode>
{
    private const string Task = "tiny-detection";

    private static void Ok((int Code, string Output, string Error) run) => Assert.True(run.Code == 0, $"exit {run.Code}\n{run.Output}\n{run.Error}");

    private static void CopyFolder(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            if (!Path.GetFileName(file).StartsWith("journal.db", StringComparison.Ordinal)) File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }

    [GeneratedRegex("<tr data-model=\"(\\d+)\"")]
    private static partial Regex ModelRow();

    [Fact]
    public async Task The_models_page_ranks_a_tasks_models_marks_the_champion_shows_its_history_and_the_study_page_offers_its_files()
    {
        var study = studies.Torch;
        using var dir = new TempDir();
        CopyFolder(study.RunDir, Path.Combine(node.Root, "studies", "tiny"));
        var manifest = Path.Combine(Path.GetDirectoryName(study.RunDir)!, "data", "manifest.csv");
        foreach (var fold in new[] { "0", "1" })
        {
            Ok(NachosProcess.Run(dir.Path, "bundle", study.RunDir, "--fold", fold, "--out", dir.File($"b{fold}"), "--archive", dir.File($"b{fold}.zip")));
            Ok(NachosProcess.Run(dir.Path, "predict", dir.File($"b{fold}.zip"), manifest, "--out", dir.File($"eval-{fold}.csv")));
            Ok(NachosProcess.Run(dir.Path, "model", "register", dir.File($"b{fold}.zip"), "--task", Task, "--eval", dir.File($"eval-{fold}.csv"), "--eval-set", "tiny-all", "--root", node.Root));
        }
        Ok(NachosProcess.Run(dir.Path, "model", "promote", "1", "--root", node.Root));
        var listed = NachosProcess.Run(dir.Path, "model", "list", Task, "--sort", "accuracy", "--format", "json", "--root", node.Root);
        Ok(listed);
        var byAccuracy = JsonNode.Parse(listed.Output)!.AsArray().Select(m => m!["id"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

        // The task list, then the task's page ranked as `nachos model list --sort accuracy` ranks it.
        var tasks = await node.Http.GetStringAsync("models");
        Assert.Contains("<nav class=\"site\"", tasks);
        Assert.Contains($"<tr data-task=\"{Task}\"><td><a href=\"/models/{Task}\">{Task}</a></td><td class=\"num\">2</td>", tasks);
        Assert.Contains("model 1 (version 1)", tasks);

        var page = await node.Http.GetStringAsync($"models/{Task}?sort=accuracy");
        Assert.Equal(byAccuracy, ModelRow().Matches(page).Select(m => m.Groups[1].Value));
        Assert.Contains("<option value=\"accuracy\" selected>", page);
        Assert.Contains("<tr data-model=\"1\" class=\"chosen\">", page);
        Assert.Contains("★ champion", page);
        Assert.Contains("<tr data-outcome=\"Promoted\">", page);
        Assert.Contains("<a href=\"/studies/tiny\">tiny</a>", page);
        Assert.Contains($"<a href=\"/models/{Task}/v2.zip\" download>v2.zip</a>", page);
        Assert.Equal(HttpStatusCode.BadRequest, (await node.Http.GetAsync($"models/{Task}?sort=no-such-metric")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync("models/NO..task")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync($"models/{Task}/v3.zip")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync($"models/{Task}/..%2F..%2Fapi-token")).StatusCode);

        // The registered bundle, byte for byte the registry's copy.
        using var bundle = await node.Http.GetAsync($"models/{Task}/v1.zip");
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        Assert.Equal("application/zip", bundle.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", bundle.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(File.ReadAllBytes(Path.Combine(node.Root, "registry", Task, "v1.zip")), await bundle.Content.ReadAsByteArrayAsync());

        // The study page links its report files and both bundles; each is served with its content type.
        var studyPage = await node.Http.GetStringAsync("studies/tiny");
        Assert.Contains("<nav class=\"site\"", studyPage);
        var run = Path.Combine(node.Root, "studies", "tiny");
        foreach (var (file, type, local) in new[] { ("report.json", "application/json", "report.json"), ("report.csv", "text/csv", "report.csv"), ("report.html", "text/html", null) })
        {
            Assert.Contains($"<a href=\"/studies/tiny/{file}\" download>", studyPage);
            using var response = await node.Http.GetAsync($"studies/tiny/{file}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
            Assert.Equal($"tiny-{file}", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
            if (local is not null) Assert.Equal(File.ReadAllBytes(Path.Combine(run, local)), await response.Content.ReadAsByteArrayAsync());
            else Assert.Contains("<section id=\"study\">", await response.Content.ReadAsStringAsync());
        }
        Assert.Contains($"<a href=\"/models/{Task}/v1.zip\" download>bundle: {Task} v1 (model 1)</a>", studyPage);
        Assert.Contains($"<a href=\"/models/{Task}/v2.zip\" download>bundle: {Task} v2 (model 2)</a>", studyPage);
        Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync("studies/no-such-study/report.json")).StatusCode);
    }
}
