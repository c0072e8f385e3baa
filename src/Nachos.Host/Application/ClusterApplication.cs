using Akka.Actor;
using Akka.Cluster;
using Nachos.Actors.Messages;
using Nachos.Host.Contract;

namespace Nachos.Host.Application;

/// <summary>The cluster operations of a coordinator: its members and devices, draining a node, a member leaving or downed.</summary>
public sealed class ClusterApplication(ControlPlane plane)
{
    public const string Leave = "leave";
    public const string Down = "down";

    public async Task<NodeList> Nodes()
    {
        var devices = (await plane.Overview()).Devices.ToLookup(d => d.Node);
        var state = plane.Cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var nodes = state.Members.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).Select(m => new NodeInfo(
            m.Address.ToString(), m.Status.ToString().ToLowerInvariant(), m.Roles.Order(StringComparer.Ordinal).ToList(), !unreachable.Contains(m.Address),
            devices[m.Address.ToString()].Select(d => new DeviceInfo(d.Device, d.State, d.TaskId, d.BusyRatio)).ToList())).ToList();
        return new NodeList(plane.Cluster.SelfAddress.ToString(), state.Leader?.ToString(), nodes);
    }

    /// <param name="address"><c>akka.ssl.tcp://nachos@host:port</c> or <c>host:port</c>.</param>
    public async Task<Outcome<ClusterActionResponse>> Drain(string? address)
    {
        var (member, refusal) = Member(address);
        if (refusal is not null) return refusal;
        var draining = await plane.Ask<NodeDraining>(new DrainNode(member!.Address.ToString()));
        return new ClusterActionResponse(draining.Address, "drain", draining.Devices);
    }

    /// <param name="action"><see cref="Leave"/> or <see cref="Down"/>.</param>
    public Outcome<ClusterActionResponse> Act(string? address, string action)
    {
        var (member, refusal) = Member(address);
        if (refusal is not null) return refusal;
        if (action == Leave) plane.Cluster.Leave(member!.Address);
        else plane.Cluster.Down(member!.Address);
        return new ClusterActionResponse(member.Address.ToString(), action, []);
    }

    /// <summary>The member the address names: <c>akka.ssl.tcp://nachos@host:port</c> or <c>host:port</c>.</summary>
    private (Member? Member, Refusal? Refusal) Member(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, Refusal.BadRequest("'address' is required: akka.ssl.tcp://nachos@host:port or host:port"));
        var full = text.Contains("://", StringComparison.Ordinal) ? text : $"{plane.Cluster.SelfAddress.Protocol}://{plane.Node.System.Name}@{text}";
        Address address;
        try
        {
            address = Address.Parse(full);
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            return (null, Refusal.BadRequest($"'address' {text}: expected akka.ssl.tcp://nachos@host:port or host:port"));
        }
        if (address.Host is null || address.Port is null) return (null, Refusal.BadRequest($"'address' {text}: expected akka.ssl.tcp://nachos@host:port or host:port"));
        var member = plane.Cluster.State.Members.FirstOrDefault(m => m.Address.Equals(address));
        return member is null ? (null, Refusal.NotFound($"{address} is not a member of this cluster")) : (member, null);
    }
}
