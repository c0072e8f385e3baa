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

namespace Nachos.Actors.Node;

/// <summary>
/// An embedded one-node cluster: the SQLite journal in the run directory, the sharded study, fold and
/// trial entities (remembered, so they come back by themselves after a restart), the work-queue
/// singleton and one device actor per slot.
/// </summary>
public sealed class NachosNode : IAsyncDisposable
{
    private readonly FileStream _lock;

    private NachosNode(ActorSystem system, IActorRef studies, IActorRef queue, FileStream runLock)
    {
        System = system;
        Studies = studies;
        Queue = queue;
        _lock = runLock;
    }

    public ActorSystem System { get; }
    public IActorRef Studies { get; }
    public IActorRef Queue { get; }

    /// <param name="overrides">HOCON that takes precedence over the node's files (benchmarks and diagnostics).</param>
    public static async Task<NachosNode> StartEmbedded(string runDir, IStudyCatalog catalog, ITaskExecutor executor, int devices, string? overrides = null)
    {
        Directory.CreateDirectory(runDir);
        var journal = Path.Combine(runDir, "journal.db");
        var runLock = LockRunDirectory(runDir);
        try
        {
            PrepareSqlite(journal);
            // Embedded runs talk to a person through the progress display: only errors go to the log.
            var config = ConfigurationFactory.ParseString(overrides ?? "")
                .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = ERROR"))
                .WithFallback(ConfigurationFactory.ParseString(JournalConfig.Hocon("base.conf")))
                .WithFallback(JournalConfig.Sqlite(journal))
                .WithFallback(ClusterSharding.DefaultConfig())
                .WithFallback(ClusterSingleton.DefaultConfig());
            var system = ActorSystem.Create("nachos", BootstrapSetup.Create().WithConfig(config).And(SqliteJournalOptions.Create(journal)));
            var cluster = Cluster.Get(system);
            var up = new TaskCompletionSource();
            cluster.RegisterOnMemberUp(() => up.TrySetResult());
            await cluster.JoinAsync(cluster.SelfAddress);
            await up.Task.WaitAsync(TimeSpan.FromSeconds(30));

            // A queue stopped by a journal failure comes back from its journal, with backoff.
            var queueProps = BackoffSupervisor.Props(Backoff.OnStop(Props.Create(() => new WorkQueueActor()), "queue",
                TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, -1));
            system.ActorOf(ClusterSingletonManager.Props(queueProps, PoisonPill.Instance,
                ClusterSingletonManagerSettings.Create(system)), "work-queue");
            var queue = system.ActorOf(ClusterSingletonProxy.Props("/user/work-queue", ClusterSingletonProxySettings.Create(system)), "work-queue-proxy");

            var sharding = ClusterSharding.Get(system);
            var settings = ClusterShardingSettings.Create(system);
            var extractor = new EnvelopeExtractor(30);
            var studies = await sharding.StartAsync(Regions.Study, id => Props.Create<StudyActor>(id, catalog), settings, extractor);
            await sharding.StartAsync(Regions.Fold, id => Props.Create<FoldActor>(id, queue, catalog), settings, extractor);
            await sharding.StartAsync(Regions.Trial, id => Props.Create<TrialActor>(id, queue, catalog), settings, extractor);

            // Ready means the queue answers: its journal is recovered and the proxy has found it.
            await queue.Ask<QueueStatus>(GetQueueStatus.Instance, TimeSpan.FromSeconds(60));

            // A device actor that fails is restarted with exponential backoff; its lease returns to the queue.
            for (var d = 0; d < devices; d++)
            {
                var name = $"cpu{d}";
                var device = Props.Create(() => new DeviceActor(name, queue, executor));
                system.ActorOf(BackoffSupervisor.Props(
                    Backoff.OnFailure(device, name, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, -1)), $"device-{name}");
            }
            return new NachosNode(system, studies, queue, runLock);
        }
        catch
        {
            runLock.Dispose();
            throw;
        }
    }

    public void Tell(string entityId, object message) => Studies.Tell(new ShardEnvelope(entityId, message));

    public async ValueTask DisposeAsync()
    {
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance);
        await _lock.DisposeAsync();
    }

    /// <summary>One process per run directory: SQLite allows one writer, and two nodes would fight over the entities.</summary>
    private static FileStream LockRunDirectory(string runDir)
    {
        var pidFile = Path.Combine(runDir, "node.pid");
        try
        {
            var stream = new FileStream(Path.Combine(runDir, "node.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            File.WriteAllText(pidFile, Environment.ProcessId.ToString());
            return stream;
        }
        catch (IOException)
        {
            var owner = File.Exists(pidFile) ? File.ReadAllText(pidFile).Trim() : "?";
            throw new RunDirectoryInUseException($"{runDir} is in use by another nachos process (pid {owner}); a SQLite journal takes one node — wait for it, or use PostgreSQL for several nodes");
        }
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

public sealed class RunDirectoryInUseException(string message) : Exception(message);
