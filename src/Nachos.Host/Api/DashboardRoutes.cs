using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Nachos.Host.Application;
using Nachos.Host.Dashboard;
using Nachos.Host.Running;
using Nachos.Shared.Comparison;

namespace Nachos.Host.Api;

/// <summary>
/// The dashboard served over HTTP: / (studies), /studies/{id} (study page), /studies/{id}/trials.csv, /studies/{id}/models/o{k}/… (model pages),
/// /compare?studies=a,b[,c…][&amp;metric=m] (finished studies compared, as <c>nachos compare</c>), a finished study's downloads
/// (/studies/{id}/report.json, report.csv, report.html), /nodes (members, devices, current tasks) and the models pages (<see cref="RegistryPages"/>).
/// </summary>
public static class DashboardRoutes
{
    private const string Html = "text/html; charset=utf-8";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", async ([FromServices] StudyApplication a) => Results.Content(LivePages.Studies(await a.List()), Html));
        app.MapGet("/studies/{id}", async (string id, [FromServices] StudyApplication a, [FromServices] ControlPlane plane, [FromServices] CampaignRegistry registry) =>
        {
            if (!plane.Studies.Exists(id)) return Problems.UnknownStudy(id);
            if (plane.Studies.Report(id) is not null && plane.Studies.StudyPage(id, BundlesOf(registry, id)) is { } page) return Results.Content(page, Html);
            return Problems.Answer(await a.Live(id),
                live => Results.Content(LivePages.Study(live.Detail, live.Progress, live.Trials, live.Models, new ServedLinks(id)), Html));
        });
        // The same rows as `nachos trial list ID --format csv`: the control API's trial list, as a table.
        app.MapGet("/studies/{id}/" + Nachos.Shared.Study.TrialTable.FileName, async (string id, [FromServices] StudyApplication a) =>
            Problems.Answer(await a.Trials(id, null, null), list => Results.Text(StudyViews.Table(list).Csv(), "text/csv; charset=utf-8")));
        app.MapGet("/compare", (string? studies, string? metric, [FromServices] ControlPlane plane) =>
        {
            var ids = (studies ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (ids.Length < 2) return Problems.BadRequest("?studies= needs at least two study ids, separated by commas");
            if (ids.FirstOrDefault(id => !plane.Studies.Exists(id)) is { } unknown) return Problems.UnknownStudy(unknown);
            try
            {
                var comparison = ComparedStudies.Compare(ids.Select(plane.Studies.Directory).ToList(), metric);
                return Results.Content(ComparisonPages.Page(comparison, name => ids.Contains(name) ? new ServedLinks(name).Study : null), Html);
            }
            catch (ComparisonException e)
            {
                return Problems.BadRequest(e.Message);
            }
        });
        foreach (var file in new[] { StudyDownloads.Json, StudyDownloads.Csv, StudyDownloads.Html })
            app.MapGet($"/studies/{{id}}/{file}", (string id, [FromServices] StudyApplication a) => Problems.Answer(a.Report(id, StudyDownloads.Format(file)), d =>
                d.FilePath is { } path ? Results.File(path, d.MediaType, $"{id}-{file}") : Results.Bytes(Encoding.UTF8.GetBytes(d.Text!), d.MediaType, $"{id}-{file}")));
        app.MapGet("/nodes", async ([FromServices] ClusterApplication a) =>
            Results.Content(PageRenderer.Render<NodesPage>(new Dictionary<string, object?> { [nameof(NodesPage.Nodes)] = await a.Nodes() }), Html));
        RegistryPages.Map(app);
        app.MapGet("/studies/{id}/models/{**path}", async (string id, string? path, [FromServices] StudyApplication a) =>
            Problems.Answer(await a.Model(id, path), m => Results.Content(new DashboardRenderer(m.Run).ModelPage(m.Model, new ServedLinks(id)), Html)));
    }

    /// <summary>The models registered from the study (their bundles are linked); none when the registry cannot be read, which must not hide the study.</summary>
    private static IReadOnlyList<Nachos.Shared.Registry.RegisteredModel> BundlesOf(CampaignRegistry registry, string id)
    {
        try
        {
            return registry.FromStudy(id);
        }
        catch (RegistryUnavailableException)
        {
            return [];
        }
    }
}
