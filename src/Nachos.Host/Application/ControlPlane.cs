using Akka.Actor;
using Akka.Cluster;
using Nachos.Actors.Messages;
using Nachos.Actors.Node;
using Nachos.Shared.Data;
using Nachos.Shared.Study;

namespace Nachos.Host.Application;

/// <summary>The queue did not answer in time (a failover, a journal outage).</summary>
public sealed class QueueUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>A finished study's stored task list cannot be read (answered 409 with the file at fault).</summary>
public sealed class StudyFileException(string message, Exception inner) : Exception(message, inner);

/// <summary>What the API's handlers work with: the node (its cluster and the work queue), the campaign's studies, the token and where submitted specs may read data.</summary>
public sealed class ControlPlane(NachosNode node, CampaignStudies studies, string token, DataRoots dataRoots)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public NachosNode Node => node;
    public CampaignStudies Studies => studies;
    public string Token => token;
    public DataRoots DataRoots => dataRoots;
    public Cluster Cluster => Cluster.Get(node.System);

    /// <summary>Serialises submissions: checking and storing a study is not atomic across requests.</summary>
    public SemaphoreSlim SubmitLock { get; } = new(1, 1);

    public async Task<T> Ask<T>(object message)
    {
        try
        {
            return await node.Queue.Ask<T>(message, AskTimeout);
        }
        catch (AskTimeoutException e)
        {
            throw new QueueUnavailableException($"the work queue did not answer within {AskTimeout.TotalSeconds:F0} s", e);
        }
    }

    /// <summary>A study's tasks: a closed (finished) study's from its tasks.json, any other's from the work queue.</summary>
    public async Task<StudyTasks> Tasks(string id)
    {
        if (Closed(id) is { } closed) return closed;
        var asked = await Ask<StudyTasks>(new GetStudyTasks(id));
        // The queue may have closed the study since the file was looked for: it writes the file first.
        return asked.Tasks.Count == 0 && Closed(id) is { } since ? since : asked;
    }

    private StudyTasks? Closed(string id)
    {
        try
        {
            return studies.ClosedTasks(id) is { } file ? new StudyTasks(id, file.Tasks, false, false) : null;
        }
        catch (InvalidDataException e)
        {
            throw new StudyFileException(e.Message, e);
        }
    }

    public Task<QueueOverview> Overview() => Ask<QueueOverview>(GetQueueOverview.Instance);
}
