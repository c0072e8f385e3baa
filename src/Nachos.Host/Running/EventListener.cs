using System.Threading.Channels;
using Akka.Actor;
using Nachos.Actors.Messages;

namespace Nachos.Host.Running;

/// <summary>Forwards a node's study completion events (subscribed by its creator) into a channel the CLI reads.</summary>
public sealed class EventListener : ReceiveActor
{
    public EventListener(ChannelWriter<object> events)
    {
        Receive<StudyCompleted>(c => events.TryWrite(c));
    }
}
