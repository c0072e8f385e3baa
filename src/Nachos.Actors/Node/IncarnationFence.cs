using Akka.Configuration;

namespace Nachos.Actors.Node;

/// <summary>
/// A node that ended without leaving (kill -9, a crash, a walltime) stays a member of the cluster, unreachable,
/// until the split-brain resolver downs it. A new incarnation started on the same host:port before then met
/// Akka's remoting still bound to the old one: a restarted first seed formed a cluster of its own, or a peer
/// could not reach the new incarnation and the resolver downed both as indirectly connected (ClusterTests:
/// 2 of 7 runs restarting a seed 1 s after its kill; restarting 9 s after, 4 of 4 passed).
/// So each node marks its host:port in the campaign directory while it runs and removes the mark when it ends
/// cleanly; a node that finds the mark of an incarnation that did not end cleanly waits until the resolver has
/// downed it (heartbeat pause + stable-after + a margin) before it starts.
/// </summary>
public sealed class IncarnationFence : IDisposable
{
    /// <summary>
    /// How long after a restart the killed incarnation is surely downed and removed: detection (heartbeat pause) and
    /// the resolver's delay (stable-after) once, then once more for the removal's gossip on a loaded machine (with a
    /// single margin, a restarted seed still met the singletons handing over from its old incarnation), plus 2 s.
    /// </summary>
    public static TimeSpan Delay(Config config) =>
        2 * (config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause")
             + config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after")) + TimeSpan.FromSeconds(2);

    private readonly string _path;

    private IncarnationFence(string path) => _path = path;

    public static string MarkPath(string campaignDir, string host, int port) =>
        Path.Combine(campaignDir, "incarnations", $"{string.Concat(host.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_'))}_{port}");

    /// <summary>Waits out an earlier incarnation on this host:port that did not end cleanly, then marks this one.</summary>
    /// <param name="report">Told once, before the wait, what the node waits for.</param>
    public static async Task<IncarnationFence> Enter(string campaignDir, string host, int port, TimeSpan delay, Action<string> report, CancellationToken stop)
    {
        var path = MarkPath(campaignDir, host, port);
        if (File.Exists(path))
        {
            report($"the previous node on {host}:{port} did not leave the cluster; waiting {delay.TotalSeconds:F0} s until the cluster has downed it");
            await Task.Delay(delay, stop);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $"{Environment.ProcessId}\n");
        return new IncarnationFence(path);
    }

    /// <summary>The node ended cleanly (left, or was downed and stopped): its successor need not wait.</summary>
    public void Dispose() => File.Delete(_path);
}
