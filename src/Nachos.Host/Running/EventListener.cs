using System.Threading.Channels;
using Akka.Actor;
using Nachos.Actors.Messages;

namespace Nachos.Host.Running;

/// <summary>Forwards a node's study progress and completion events into a channel the CLI reads.</summary>
public sealed class EventListener : ReceiveActor
{
    public EventListener(ChannelWriter<object> events)
    {
        Receive<StudyProgress>(p => events.TryWrite(p));
        Receive<StudyCompleted>(c => events.TryWrite(c));
    }

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(StudyProgress));
        Context.System.EventStream.Subscribe(Self, typeof(StudyCompleted));
    }
}
