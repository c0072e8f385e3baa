using System.Diagnostics;
using Akka.Actor;
using Akka.Pattern;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Nachos.Actors.Devices;
using Nachos.Actors.Entities;
using Nachos.Actors.Messages;
using Nachos.Actors.Queue;
using Nachos.Actors.Serialization;
using Nachos.Shared.Study;
using Nachos.Shared.Seeding;

namespace Nachos.Actors.Node;

/// <summary>
/// A nachos cluster node. Coordinator nodes host the sharded study, fold and trial entities
/// (remembered, so they come back by themselves after a restart) and the work-queue singleton; worker
/// nodes host one device actor per device. The journal is a SQLite file in the node's directory (one
/// node only) or a PostgreSQL database shared by the cluster.
/// </summary>
public sealed class NachosNode : IAsyncDisposable
{
    private readonly RunDirectoryLock? _lock;
    private readonly CampaignKey _key;
    private readonly IncarnationFence? _fence;
    private readonly ITaskExecutor _executor;

    private NachosNode(ActorSystem system, IActorRef? studies, IActorRef queue, RunDirectoryLock? runLock, CampaignKey key, IncarnationFence? fence,
        ITaskExecutor executor)
    {
        _executor = executor;
        System = system;
        Studies = studies;
        Queue = queue;
        _lock = runLock;
        _key = key;
        _fence = fence;
    }

    public ActorSystem System { get; }
    /// <summary>The study shard region (coordinator nodes only).</summary>
    public IActorRef? Studies { get; }
    public IActorRef Queue { get; }

    /// <summary>The embedded one-node cluster of <c>nachos run</c>: both roles, SQLite journal in the run directory.</summary>
    /// <param name="runLock">The run directory's lock when the caller took it first (before writing there); else taken here. The node releases it.</param>
    public static Task<NachosNode> StartEmbedded(string runDir, IStudyCatalog catalog, ITaskExecutor executor, int devices, string? overrides = null,
        RunDirectoryLock? runLock = null, CancellationToken stop = default) =>
        Start(new NodeOptions { WorkDir = runDir, Devices = NodeOptions.CpuSlots(devices), Overrides = overrides }, catalog, executor, stop, runLock);

    /// <param name="stop">Cancelled (SIGTERM, Ctrl-C) while the node is still starting: it stops (leaving the
    /// cluster if it had joined) before taking any task, and <see cref="OperationCanceledException"/> is thrown.</param>
    /// <param name="heldLock">The run directory's lock, taken by the caller (SQLite only); null: taken here.</param>
    /// <exception cref="CampaignKeyException">the node has no usable campaign key (checked before anything is created).</exception>
    /// <exception cref="RunDirectoryException">a SQLite node's directory is in use or cannot be written.</exception>
    public static async Task<NachosNode> Start(NodeOptions options, IStudyCatalog catalog, ITaskExecutor executor, CancellationToken stop = default,
        RunDirectoryLock? heldLock = null)
    {
        CampaignKey key;
        try
        {
            key = CampaignKey.LoadOrCreate(options.CampaignKeyPath, options.MayCreateCampaignKey,
                "only a coordinator that starts the cluster (no seeds, or its own address among them) creates it, and every other node uses it: is this the campaign's directory?");
        }
        catch
        {
            heldLock?.Dispose();
            throw;
        }
        RunDirectoryLock? runLock;
        try
        {
            runLock = heldLock ?? (options.Postgres is null ? RunDirectoryLock.Acquire(options.WorkDir) : null);
        }
        catch
        {
            key.Dispose();
            throw;
        }
        Directory.CreateDirectory(options.WorkDir);
        var journal = RunLayout.JournalPath(options.WorkDir);
        ActorSystem? system = null;
        IncarnationFence? fence = null;
        try
        {
            if (options.Postgres is null) PrepareSqlite(journal);
            // A node alone (no seeds) has no cluster that could still hold its previous incarnation; port 0 is a new address each time.
            var config = NodeConfig.Build(options, journal);
            if (options.Seeds.Count > 0 && options.Port != 0)
                fence = await IncarnationFence.Enter(options.WorkDir, options.Host, options.Port, IncarnationFence.Delay(config),
                    line => Console.Error.WriteLine($"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {line}"), stop);
            var serializer = Task.Run(NachosSerializer.Prepare, stop);
            system = await Join(options, config, key, journal, stop);

            if (options.Is(NodeOptions.Coordinator))
            {
                // A queue stopped by a journal failure comes back from its journal, with backoff.
                var queueProps = BackoffSupervisor.Props(Backoff.OnStop(Props.Create<WorkQueueActor>(), "queue",
                    TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, -1));
                system.ActorOf(ClusterSingletonManager.Props(queueProps, PoisonPill.Instance,
                    ClusterSingletonManagerSettings.Create(system).WithRole(NodeOptions.Coordinator)), "work-queue");
            }
            var queue = system.ActorOf(ClusterSingletonProxy.Props("/user/work-queue",
                ClusterSingletonProxySettings.Create(system).WithRole(NodeOptions.Coordinator)), "work-queue-proxy");
            IActorRef? studies = null;
            if (options.Is(NodeOptions.Coordinator))
            {

                var sharding = ClusterSharding.Get(system);
                var settings = ClusterShardingSettings.Create(system).WithRole(NodeOptions.Coordinator);
                var extractor = new EnvelopeExtractor(30);
                studies = await sharding.StartAsync(Regions.Study, id => Props.Create<StudyActor>(id, queue, catalog), settings, extractor);
                var folds = await sharding.StartAsync(Regions.Fold, id => Props.Create<FoldActor>(id, queue), settings, extractor);
                var trials = await sharding.StartAsync(Regions.Trial, id => Props.Create<TrialActor>(id, queue), settings, extractor);

                // Ready means the queue answers (its journal is recovered and the proxy has found it) and every region
                // routes: until its coordinator has registered it, a region holds a study's first message until its
                // next registration retry, which after a fresh start put ~0.25 s between a study's start and its first task.
                var ready = Stopwatch.StartNew();
                await queue.Ask<QueueStatus>(GetQueueStatus.Instance, ReadyTimeout, stop);
                var self = Cluster.Get(system).SelfAddress;
                foreach (var region in new[] { studies, folds, trials }) await WaitRegistered(region, self, ReadyTimeout - ready.Elapsed, stop);
            }
            await serializer;

            var devices = new List<IActorRef>();
            if (options.Is(NodeOptions.Worker))
            {
                var heartbeat = TimeSpan.FromTicks(system.Settings.Config.GetTimeSpan("nachos.lease-timeout").Ticks / 4);
                // A device actor that fails is restarted with exponential backoff; its lease returns to the queue.
                foreach (var name in options.Devices)
                {
                    var device = Props.Create<DeviceActor>(name, queue, executor, heartbeat);
                    devices.Add(system.ActorOf(BackoffSupervisor.Props(
                        Backoff.OnFailure(device, name, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, -1)), $"device-{name}"));
                }
                DrainOnShutdown(system, devices);
            }
            return new NachosNode(system, studies, queue, runLock, key, fence, executor);
        }
        catch
        {
            // Started but not ready (stopped, or the queue never answered): leave, so the journal is closed before the lock goes.
            if (system is not null) await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
            fence?.Dispose();
            runLock?.Dispose();
            key.Dispose();
            throw;
        }
    }

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Waits until <paramref name="region"/>'s coordinator lists this node's region; a <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    private static async Task WaitRegistered(IActorRef region, Address self, TimeSpan timeout, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var current = await region.Ask<CurrentRegions>(GetCurrentRegions.Instance, ReadyTimeout, stop);
            if (current.Regions.Contains(self)) return;
            if (clock.Elapsed > timeout) throw new TimeoutException($"the shard region {region.Path.Name} was not registered with its coordinator within {ReadyTimeout.TotalSeconds:F0} s");
            await Task.Delay(10, stop);
        }
    }

    /// <summary>
    /// Starts the actor system and waits until it is an Up member. A node restarted on its host:port within
    /// seconds of a kill -9 was, rarely (in CI, not on demand), never answered by the seed it asked to join,
    /// even after the seed had downed its old incarnation. A node with seeds that the cluster has not even
    /// admitted (not Joining) after <c>nachos.join-timeout</c> therefore starts over as a fresh incarnation
    /// (a new UID and new associations), a few times, before it gives up. An admitted node keeps waiting:
    /// restarting it would make the seed remove it before the next incarnation could join.
    /// </summary>
    private static async Task<ActorSystem> Join(NodeOptions options, Config config, CampaignKey key, string journal, CancellationToken stop)
    {
        if (options.Seeds.Count == 0)
        {
            // A one-node cluster joins itself: no one else to wait for.
            var (alone, up) = Create(options, config, key, journal);
            Cluster.Get(alone).Join(Cluster.Get(alone).SelfAddress);
            await WaitUp(alone, up.WaitAsync(TimeSpan.FromMinutes(2)), stop);
            return alone;
        }
        var timeout = config.GetTimeSpan("nachos.join-timeout");
        const int incarnations = 5;
        var seeds = options.Seeds.Select(s => Address.Parse($"{ClusterTls.Protocol}://nachos@{s}")).ToList();
        for (var incarnation = 1; ; incarnation++)
        {
            var (system, up) = Create(options, config, key, journal);
            var cluster = Cluster.Get(system);
            cluster.JoinSeedNodes(seeds);
            var waited = TimeSpan.Zero;
            // Waits in steps of the timeout while the cluster has at least admitted this incarnation (Joining).
            do
            {
                if (await WaitUp(system, up, stop, timeout)) return system;
                waited += timeout;
            } while (waited < incarnations * timeout && cluster.State.Members.Any(m => m.UniqueAddress.Equals(cluster.SelfUniqueAddress)));
            await system.Terminate();
            stop.ThrowIfCancellationRequested();
            if (incarnation == incarnations)
                throw new ClusterJoinException($"not a member of the cluster after {incarnations} tries of {timeout.TotalSeconds:F0} s (seeds {string.Join(", ", options.Seeds)})");
            Console.Error.WriteLine($"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} not a member after {waited.TotalSeconds:F0} s; starting again as a new incarnation ({incarnation + 1} of {incarnations})");
        }
    }

    /// <summary>
    /// Whether <paramref name="up"/> completed within <paramref name="timeout"/> (no timeout: waits for it);
    /// a stop request meanwhile terminates the system and throws.
    /// </summary>
    private static async Task<bool> WaitUp(ActorSystem system, Task up, CancellationToken stop, TimeSpan? timeout = null)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var stopped = Task.Delay(Timeout.Infinite, waiting.Token);
        var waits = timeout is { } t ? new[] { up, stopped, Task.Delay(t, waiting.Token) } : [up, stopped];
        var first = await Task.WhenAny(waits);
        waiting.Cancel(); // ends the other waits' timers
        try
        {
            if (first == stopped || stop.IsCancellationRequested) throw new OperationCanceledException("stopped while joining the cluster", stop);
            await first; // a timed-out wait for Up throws here
            return first == up;
        }
        catch
        {
            await system.Terminate();
            throw;
        }
    }

    /// <summary>A new actor system (a new incarnation), its transport on mutual TLS, and the moment it becomes an Up member.</summary>
    private static (ActorSystem System, Task Up) Create(NodeOptions options, Config config, CampaignKey key, string journal)
    {
        var setup = ClusterTls.Setup(config, key);
        var system = options.Postgres is null
            ? ActorSystem.Create("nachos", setup.And(SqliteJournalOptions.Create(journal)))
            : ActorSystem.Create("nachos", setup);
        var up = new TaskCompletionSource();
        Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        return (system, up.Task);
    }

    /// <summary>
    /// Leaving the cluster (SIGTERM from Slurm, walltime, a rolling upgrade), the devices first interrupt
    /// their tasks, which checkpoint, and hand them back, so they resume elsewhere at once instead of
    /// after a lease timeout.
    /// </summary>
    private static void DrainOnShutdown(ActorSystem system, IReadOnlyList<IActorRef> devices) =>
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "drain-devices", async () =>
        {
            var timeout = system.Settings.Config.GetTimeSpan("akka.coordinated-shutdown.phases.service-requests-done.timeout");
            await Task.WhenAll(devices.Select(d => d.Ask<DeviceDrained>(DrainDevice.Instance, timeout)));
            return Akka.Done.Instance;
        });

    /// <summary>Starts (and keeps poking) the studies <paramref name="unfinished"/> lists; coordinator nodes only.</summary>
    public void WatchStudies(Func<IReadOnlyList<StartStudy>> unfinished, TimeSpan interval)
    {
        if (Studies is { } studies) System.ActorOf(Props.Create<StudyWatcher>(studies, unfinished, interval), "study-watcher");
    }

    /// <summary>
    /// Starts an actor that hears <paramref name="events"/> from the event stream, subscribed before this returns, not
    /// in its PreStart (which runs later, on the dispatcher): a finished study republishes its report as soon as the
    /// next start command recovers it, and that must not be missed.
    /// </summary>
    public IActorRef Listen(Props props, string? name, params Type[] events)
    {
        var listener = System.ActorOf(props, name);
        foreach (var e in events) System.EventStream.Subscribe(listener, e);
        return listener;
    }

    public void Tell(string entityId, object message) =>
        (Studies ?? throw new InvalidOperationException("studies live on coordinator nodes")).Tell(new ShardEnvelope(entityId, message));

    public async ValueTask DisposeAsync()
    {
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance);
        (_executor as IDisposable)?.Dispose(); // its worker processes, once the devices have drained
        _fence?.Dispose();
        _lock?.Dispose();
        _key.Dispose();
    }

    /// <summary>WAL once, with a raw connection, before the journal opens the file.</summary>
    private static void PrepareSqlite(string file)
    {
        using var connection = new SqliteConnection($"Data Source={file}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }
}

public sealed class ClusterJoinException(string message) : Exception(message);
