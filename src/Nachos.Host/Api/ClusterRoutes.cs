using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Nachos.Host.Application;
using Nachos.Host.Contract;

namespace Nachos.Host.Api;

/// <summary>/api/nodes (members, roles, devices), /api/nodes/drain, /api/cluster/leave and /api/cluster/down (the operations: <see cref="ClusterApplication"/>).</summary>
public static class ClusterRoutes
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/nodes", async ([FromServices] ClusterApplication a) => Results.Ok(await a.Nodes()));
        app.MapPost("/api/nodes/drain", async (HttpRequest request, [FromServices] ClusterApplication a) =>
        {
            var (body, problem) = await Problems.ReadBody<AddressRequest>(request);
            return problem ?? Problems.Answer(await a.Drain(body!.Address));
        });
        app.MapPost("/api/cluster/leave", (HttpRequest request, [FromServices] ClusterApplication a) => Act(request, a, ClusterApplication.Leave));
        app.MapPost("/api/cluster/down", (HttpRequest request, [FromServices] ClusterApplication a) => Act(request, a, ClusterApplication.Down));
    }

    private static async Task<IResult> Act(HttpRequest request, ClusterApplication a, string action)
    {
        var (body, problem) = await Problems.ReadBody<AddressRequest>(request);
        return problem ?? Problems.Answer(a.Act(body!.Address, action), r => Results.Accepted(value: r));
    }
}
