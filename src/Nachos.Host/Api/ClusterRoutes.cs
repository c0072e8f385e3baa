using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Nachos.Actors.Messages;
using Nachos.Host.Contract;

namespace Nachos.Host.Api;

/// <summary>/api/nodes (members, roles, devices), /api/nodes/drain, /api/cluster/leave and /api/cluster/down.</summary>
public static class ClusterRoutes
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/nodes", Nodes);
        app.MapPost("/api/nodes/drain", Drain);
        app.MapPost("/api/cluster/leave", (HttpRequest request, [FromServices] ControlPlane plane) => Act(request, plane, "leave"));
        app.MapPost("/api/cluster/down", (HttpRequest request, [FromServices] ControlPlane plane) => Act(request, plane, "down"));
    }

    private static async Task<IResult> Nodes([FromServices] ControlPlane plane)
    {
        var devices = (await plane.Overview()).Devices.ToLookup(d => d.Node);
        var state = plane.Cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var nodes = state.Members.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).Select(m => new NodeInfo(
            m.Address.ToString(), m.Status.ToString().ToLowerInvariant(), m.Roles.Order(StringComparer.Ordinal).ToList(), !unreachable.Contains(m.Address),
            devices[m.Address.ToString()].Select(d => new DeviceInfo(d.Device, d.State, d.TaskId, d.BusyRatio)).ToList())).ToList();
        return Results.Ok(new NodeList(plane.Cluster.SelfAddress.ToString(), state.Leader?.ToString(), nodes));
    }

    private static async Task<IResult> Drain(HttpRequest request, [FromServices] ControlPlane plane)
    {
        var (member, problem) = await Member(request, plane);
        if (problem is not null) return problem;
        var draining = await plane.Ask<NodeDraining>(new DrainNode(member!.Address.ToString()));
        return Results.Ok(new ClusterActionResponse(draining.Address, "drain", draining.Devices));
    }

    private static async Task<IResult> Act(HttpRequest request, ControlPlane plane, string action)
    {
        var (member, problem) = await Member(request, plane);
        if (problem is not null) return problem;
        if (action == "leave") plane.Cluster.Leave(member!.Address);
        else plane.Cluster.Down(member!.Address);
        return Results.Accepted(value: new ClusterActionResponse(member.Address.ToString(), action, []));
    }

    /// <summary>The member the body's address names: <c>akka.ssl.tcp://nachos@host:port</c> or <c>host:port</c>.</summary>
    private static async Task<(Member? Member, IResult? Problem)> Member(HttpRequest request, ControlPlane plane)
    {
        var (body, problem) = await Problems.ReadBody<AddressRequest>(request);
        if (problem is not null) return (null, problem);
        if (string.IsNullOrWhiteSpace(body!.Address)) return (null, Problems.BadRequest("'address' is required: akka.ssl.tcp://nachos@host:port or host:port"));
        var text = body.Address.Contains("://", StringComparison.Ordinal) ? body.Address : $"{plane.Cluster.SelfAddress.Protocol}://{plane.Node.System.Name}@{body.Address}";
        Address address;
        try
        {
            address = Address.Parse(text);
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            return (null, Problems.BadRequest($"'address' {body.Address}: expected akka.ssl.tcp://nachos@host:port or host:port"));
        }
        if (address.Host is null || address.Port is null) return (null, Problems.BadRequest($"'address' {body.Address}: expected akka.ssl.tcp://nachos@host:port or host:port"));
        var member = plane.Cluster.State.Members.FirstOrDefault(m => m.Address.Equals(address));
        return member is null ? (null, Problems.NotFound($"{address} is not a member of this cluster")) : (member, null);
    }
}
