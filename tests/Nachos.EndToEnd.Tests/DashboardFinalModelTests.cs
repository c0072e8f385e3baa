using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Nachos.Host.Dashboard;
using Nachos.Shared.Bundle;
using Nachos.Shared.Registry;
using Nachos.Shared.Spec;
using Nachos.Tests;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// The study page's final model block in a real headless Chromium (<see cref="Browser"/>), for a study deployed by
/// <c>nachos deploy</c>: its configuration, epochs and threshold from the deploy run, and as expected performance the
/// study's NACHOS estimate (mean and CI across outer folds), nothing measured on the final model's training data.
/// </summary>
public sealed class DashboardFinalModelTests : IAsyncLifetime
{
    private Browser? _browser;

    public async Task InitializeAsync() => _browser = await Browser.Launch();

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
    }

    private static string Why((int Code, string Output, string Error) r) => $"exit {r.Code}\n{r.Output}\n{r.Error}";

    [Fact]
    public async Task The_exported_study_page_shows_the_final_model_with_its_configuration_epochs_threshold_and_the_nachos_estimate()
    {
        using var dir = new TempDir();
        dir.Write("spec.yaml", SimulatedSpecs.Yaml("shipped", 0, 4, outer: 3, inner: 2, devices: 2));
        Assert.True(NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "study") is { Code: 0 } run, "run failed");
        var before = NachosProcess.Run(dir.Path, "report", "study", "--format", "html", "--out", "before.html");
        Assert.True(before.Code == 0, Why(before));
        var deploy = NachosProcess.Run(dir.Path, "deploy", "study");
        Assert.True(deploy.Code == 0, Why(deploy));
        var export = NachosProcess.Run(dir.Path, "report", "study", "--format", "html", "--out", "report.html");
        Assert.True(export.Code == 0, Why(export));

        using var report = JsonDocument.Parse(File.ReadAllText(dir.File("study/report.json")));
        using var deployed = JsonDocument.Parse(File.ReadAllText(dir.File("study/deploy/report.json")));
        var final = deployed.RootElement.GetProperty("deploy");
        using var plan = JsonDocument.Parse(File.ReadAllText(dir.File("study/deploy/splits.json")));
        var images = plan.RootElement.GetProperty("deploy").GetProperty("train").GetArrayLength();

        var (page, _) = await _browser!.NewPage();
        // Before nachos deploy the study has no final model, and its page says nothing of one.
        await page.GotoAsync(new Uri(dir.File("before.html")).AbsoluteUri);
        Assert.Equal(0, await page.Locator("#final-model").CountAsync());

        await page.GotoAsync(new Uri(dir.File("report.html")).AbsoluteUri);
        var block = page.Locator("#final-model-block");
        Assert.True(await block.IsVisibleAsync());
        await block.ScreenshotAsync(new LocatorScreenshotOptions { Path = Browser.Screenshot("final-model.png") });
        Assert.Contains($"One model trained on all {images} images", await page.Locator("#final-model-what").InnerTextAsync());
        Assert.Contains("Made by nachos deploy after the study finished", await page.Locator("#final-model-what").InnerTextAsync());
        Assert.Contains("shipped/o3/refit", await Fact(page, "model"));
        Assert.Contains("deploy/o3/refit/model.pt", await Fact(page, "model"));
        Assert.Equal(final.GetProperty("chosen_trial").GetInt32().ToString(CultureInfo.InvariantCulture), await Fact(page, "chosen-trial"));
        var epochs = final.GetProperty("refit_epochs").GetInt32();
        Assert.StartsWith($"{epochs} (ceil", await Fact(page, "epochs"));
        foreach (var p in final.GetProperty("config").GetProperty("values").EnumerateObject())
            Assert.Contains($"{p.Name}=", await Fact(page, "configuration"));
        Assert.Equal("0.5", await Fact(page, "threshold"));
        Assert.Equal(0, await page.Locator("#final-model-bundle").CountAsync()); // an export links no registry

        // Expected performance: the study's own estimate (its report.json), metric by metric, mean and t-interval.
        var metrics = report.RootElement.GetProperty("metrics").EnumerateArray().ToList();
        Assert.Equal(metrics.Count, await page.Locator("#final-model-expected tbody tr").CountAsync());
        foreach (var m in metrics)
        {
            var name = m.GetProperty("metric").GetString()!;
            var summary = m.GetProperty("summary");
            var row = page.Locator($"#final-model-expected tr[data-metric='{name}']");
            Assert.Equal(Exact(summary.GetProperty("mean")), await row.Locator("td[data-metric]").GetAttributeAsync("data-value"));
            Assert.Equal(Exact(summary.GetProperty("ci_low")), await row.Locator("td[data-low]").GetAttributeAsync("data-low"));
            Assert.Equal(Exact(summary.GetProperty("ci_high")), await row.Locator("td[data-low]").GetAttributeAsync("data-high"));
        }
        Assert.Contains("never scored on its own training data", await block.InnerTextAsync());

        // Served with the registry's models of the study, the block links the latest registered bundle of the final model only.
        var studyRun = StudyRun.Load(dir.File("study"));
        RegisteredModel Registered(long id, string task, int version) => new(id, "shipping", version, $"v{version}.zip", new string('a', 64), TaskKind.Binary,
            ["normal", "lesion"], "shipped", task, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(id), "tester", "eval", "hash", 10, 0.5,
            new Dictionary<string, double?>(), new ExpectedPerformance("test", 3, true, []));
        var bundles = new[] { Registered(1, "shipped/o3/refit", 1), Registered(2, "shipped/o0/refit", 2), Registered(3, "shipped/o3/refit", 3) };
        var finalBundle = StudyDownloads.FinalBundle(studyRun.FinalModel, bundles);
        Assert.Equal(("/models/shipping/v3.zip", "bundle: shipping v3 (model 3)"), finalBundle);
        Assert.Null(StudyDownloads.FinalBundle(studyRun.FinalModel, bundles.Where(b => b.SourceTask != "shipped/o3/refit")));
        File.WriteAllText(dir.File("served.html"), new DashboardRenderer(studyRun).StudyPage(new ServedLinks("shipped"), StudyDownloads.Of("shipped", true, bundles), finalBundle));
        await page.GotoAsync(new Uri(dir.File("served.html")).AbsoluteUri);
        Assert.Equal("/models/shipping/v3.zip", await page.Locator("#final-model-bundle").GetAttributeAsync("href"));
        Assert.Equal("bundle: shipping v3 (model 3)", await page.Locator("#final-model-bundle").InnerTextAsync());
    }

    [Fact]
    public void Deploying_as_the_fold_ensemble_trains_nothing_and_the_page_states_the_ensemble_with_the_mean_threshold()
    {
        using var dir = new TempDir();
        dir.Write("spec.yaml", SimulatedSpecs.Yaml("ensemble", 0, 2, outer: 3, inner: 2, devices: 2));
        Assert.True(NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "study") is { Code: 0 }, "run failed");
        var deploy = NachosProcess.Run(dir.Path, "deploy", "study", "--final", "fold-ensemble");
        Assert.True(deploy.Code == 0, Why(deploy));
        Assert.Contains("Fold ensemble: the 3 outer folds' refits", deploy.Output);
        Assert.False(Directory.Exists(dir.File("study/deploy/o3")));
        // No deploy fold: the deploy run's plan is the study's own.
        using (var a = JsonDocument.Parse(File.ReadAllText(dir.File("study/splits.json"))))
        using (var b = JsonDocument.Parse(File.ReadAllText(dir.File("study/deploy/splits.json"))))
            Assert.Equal(a.RootElement.GetProperty("hash").GetString(), b.RootElement.GetProperty("hash").GetString());
        var model = StudyRun.Load(dir.File("study")).FinalModel;
        Assert.NotNull(model);
        Assert.Equal(FinalModelKind.FoldEnsemble, model.Kind);
        Assert.Equal("ensemble/fold-ensemble", model.TaskId);
        Assert.Null(model.Deploy);
        Assert.Equal(0.5, model.Threshold);
    }

    private static async Task<string> Fact(IPage page, string fact) => (await page.Locator($"#final-model-facts tr[data-fact='{fact}'] td").InnerTextAsync()).Trim();

    private static string Exact(JsonElement v) => v.ValueKind == JsonValueKind.Number ? v.GetDouble().ToString("R", CultureInfo.InvariantCulture) : "";
}
