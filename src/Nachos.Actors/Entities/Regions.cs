using Akka.Actor;
using Akka.Cluster.Sharding;
using Nachos.Actors.Messages;

namespace Nachos.Actors.Entities;

/// <summary>Names of the sharded entity types and a way to message any entity by id.</summary>
public static class Regions
{
    public const string Study = "study";
    public const string Fold = "fold";
    public const string Trial = "trial";

    public static void Tell(IActorContext context, string region, string entityId, object message) =>
        ClusterSharding.Get(context.System).ShardRegion(region).Tell(new ShardEnvelope(entityId, message), context.Self);

    /// <summary>
    /// Stops an entity whose part is done for good: a passivated entity is forgotten by remember-entities,
    /// so a restart (or `nachos run` again) does not start and replay it. A later message starts it again.
    /// </summary>
    public static void Passivate(IActorContext context) => context.Parent.Tell(new Passivate(StopEntity.Instance));
}

/// <summary>Routes <see cref="ShardEnvelope"/>s by entity id.</summary>
public sealed class EnvelopeExtractor(int maxShards) : HashCodeMessageExtractor(maxShards)
{
    public override string EntityId(object message) => message is ShardEnvelope e ? e.EntityId : null!;

    public override object EntityMessage(object message) => message is ShardEnvelope e ? e.Message : message;
}
