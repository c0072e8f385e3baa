using Akka.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Nachos.Host.Application;
using Nachos.Host.Contract;

namespace Nachos.Host.Api;

/// <summary>Every endpoint a coordinator serves (docs/api.md). All need the token but /api/health and /login.</summary>
public static class ApiRoutes
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", ([FromServices] ControlPlane plane) =>
        {
            var cluster = plane.Cluster;
            return Results.Ok(new HealthInfo("ok", cluster.SelfAddress.ToString(), cluster.SelfRoles.Order(StringComparer.Ordinal).ToList()));
        }).AllowAnonymous();
        TokenAuthentication.MapLogin(app);
        StudyRoutes.Map(app);
        ClusterRoutes.Map(app);
        RegistryRoutes.Map(app);
        MetricsRoutes.Map(app);
        DashboardRoutes.Map(app);
    }
}
