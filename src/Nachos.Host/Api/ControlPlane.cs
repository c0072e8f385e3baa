using Akka.Actor;
using Akka.Cluster;
using Nachos.Actors.Messages;
using Nachos.Actors.Node;
using Nachos.Shared.Data;

namespace Nachos.Host.Api;

/// <summary>The queue did not answer in time (a failover, a journal outage).</summary>
public sealed class QueueUnavailableException(string message, Exception inner) : Exception(message, inner);

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

    public Task<QueueOverview> Overview() => Ask<QueueOverview>(GetQueueOverview.Instance);
}
