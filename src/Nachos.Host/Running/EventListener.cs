using System.Threading.Channels;
using Akka.Actor;
using Nachos.Actors.Messages;

namespace Nachos.Host.Running;

/// <summary>Forwards a node's study progress and completion events (subscribed by its creator) into a channel the CLI reads.</summary>
public sealed class EventListener : ReceiveActor
{
    public EventListener(ChannelWriter<object> events)
    {
        Receive<StudyProgress>(p => events.TryWrite(p));
        Receive<StudyCompleted>(c => events.TryWrite(c));
    }
}
