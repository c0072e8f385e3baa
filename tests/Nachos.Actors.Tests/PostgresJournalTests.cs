using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Nachos.Actors.Node;
using Nachos.Actors.Serialization;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Npgsql;
using Xunit.Abstractions;

namespace Nachos.Actors.Tests;

/// <summary>hocon/postgres.conf against a real PostgreSQL server: events and snapshots written with Nachos's serializer come back exactly.</summary>
public sealed class PostgresJournalTests(PostgresServer postgres, ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly Hyperparameters Config = Hyperparameters.Empty.With("learning_rate", 0.003).With("optimizer", "sgd");

    [Fact]
    public async Task Queue_events_persisted_on_PostgreSQL_are_recovered_exactly_by_a_new_actor_system()
    {
        var connectionString = postgres.CreateDatabase("recovery");
        var events = QueueHistory("s");
        QueueState written;
        using (var node = ActorSystem.Create("nachos", NodeConfig(connectionString)))
        {
            var log = node.ActorOf(Props.Create(() => new QueueLog("work-queue")));
            var sequenceNrs = new List<long>();
            foreach (var e in events) sequenceNrs.Add(await log.Ask<long>(e, Timeout));
            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), sequenceNrs);
            written = (await log.Ask<Recovered>(GetRecovered.Instance, Timeout)).State;
            await node.Terminate();
        }

        using (var node = ActorSystem.Create("nachos", NodeConfig(connectionString)))
        {
            var serializer = new NachosSerializer((ExtendedActorSystem)node);
            var recovered = await node.ActorOf(Props.Create(() => new QueueLog("work-queue"))).Ask<Recovered>(GetRecovered.Instance, Timeout);
            Assert.False(recovered.FromSnapshot);
            Assert.Equal(events.Count, recovered.LastSequenceNr);
            Assert.Equal(events.Select(e => e.GetType()), recovered.Replayed.Select(e => e.GetType()));
            // Records holding collections compare by reference: compare their serialised forms.
            Assert.Equal(events.Select(serializer.ToBinary), recovered.Replayed.Select(serializer.ToBinary));
            Assert.Equal(serializer.ToBinary(written.ToSnapshot()), serializer.ToBinary(recovered.State.ToSnapshot()));
            Assert.Equal(PendingOrder(written), PendingOrder(recovered.State));
            await node.Terminate();
        }

        // The rows hold Nachos's JSON under its stable manifests, not a default serializer's type names.
        var rows = await Query(connectionString,
            "SELECT identifier, manifest FROM journal WHERE persistence_id = 'work-queue' ORDER BY sequence_number",
            r => (Identifier: r.GetInt32(0), Manifest: r.GetString(1)));
        Assert.All(rows, row => Assert.Equal(4711, row.Identifier));
        Assert.Equal(["task-queued.v1", "task-queued.v1", "task-queued.v1", "task-attempt-failed.v1", "task-completed.v1"], rows.Select(r => r.Manifest));
    }

    [Fact]
    public async Task A_queue_snapshot_in_the_PostgreSQL_snapshot_store_plus_later_events_recover_the_same_state()
    {
        var connectionString = postgres.CreateDatabase("snapshots");
        var events = QueueHistory("s");
        QueueState written;
        using (var node = ActorSystem.Create("nachos", NodeConfig(connectionString)))
        {
            var log = node.ActorOf(Props.Create(() => new QueueLog("work-queue")));
            foreach (var e in events.Take(3)) await log.Ask<long>(e, Timeout);
            Assert.Equal(3L, await log.Ask<long>(TakeSnapshot.Instance, Timeout));
            foreach (var e in events.Skip(3)) await log.Ask<long>(e, Timeout);
            written = (await log.Ask<Recovered>(GetRecovered.Instance, Timeout)).State;
            await node.Terminate();
        }

        using (var node = ActorSystem.Create("nachos", NodeConfig(connectionString)))
        {
            var serializer = new NachosSerializer((ExtendedActorSystem)node);
            var recovered = await node.ActorOf(Props.Create(() => new QueueLog("work-queue"))).Ask<Recovered>(GetRecovered.Instance, Timeout);
            Assert.True(recovered.FromSnapshot);
            Assert.Equal(events.Skip(3).Select(serializer.ToBinary), recovered.Replayed.Select(serializer.ToBinary));
            Assert.Equal(events.Count, recovered.LastSequenceNr);
            Assert.Equal(serializer.ToBinary(written.ToSnapshot()), serializer.ToBinary(recovered.State.ToSnapshot()));
            await node.Terminate();
        }
    }

    [Fact]
    public async Task Two_nodes_write_concurrently_to_one_fresh_PostgreSQL_database_and_a_third_recovers_everything()
    {
        const int actorsPerNode = 4, eventsPerActor = 40;
        var connectionString = postgres.CreateDatabase("two_nodes");
        // Both start on an empty database, so both create the tables at once.
        var nodes = new[] { ActorSystem.Create("nachos", NodeConfig(connectionString)), ActorSystem.Create("nachos", NodeConfig(connectionString)) };
        try
        {
            var writes = nodes.SelectMany((node, n) => Enumerable.Range(0, actorsPerNode).Select(async a =>
            {
                var id = $"node{n}/q{a}";
                var log = node.ActorOf(Props.Create(() => new QueueLog(id)));
                var acks = Enumerable.Range(0, eventsPerActor).Select(i => log.Ask<long>(Queued(id.Replace('/', '-'), i), Timeout)).ToList();
                return (Id: id, SequenceNrs: await Task.WhenAll(acks));
            })).ToList();
            foreach (var (id, sequenceNrs) in await Task.WhenAll(writes))
                Assert.True(sequenceNrs.Order().SequenceEqual(Enumerable.Range(1, eventsPerActor).Select(i => (long)i)), $"{id} acknowledged {string.Join(',', sequenceNrs)}");
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.Terminate()));
            foreach (var n in nodes) n.Dispose();
        }

        var counts = await Query(connectionString,
            "SELECT persistence_id, count(*), min(sequence_number), max(sequence_number) FROM journal GROUP BY persistence_id ORDER BY persistence_id",
            r => (Id: r.GetString(0), Count: r.GetInt64(1), Min: r.GetInt64(2), Max: r.GetInt64(3)));
        var ids = Enumerable.Range(0, 2).SelectMany(n => Enumerable.Range(0, actorsPerNode).Select(a => $"node{n}/q{a}")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(ids, counts.Select(c => c.Id).Order(StringComparer.Ordinal));
        Assert.All(counts, c => Assert.Equal((eventsPerActor, 1L, (long)eventsPerActor), ((int)c.Count, c.Min, c.Max)));

        using var reader = ActorSystem.Create("nachos", NodeConfig(connectionString));
        foreach (var id in ids)
        {
            var recovered = await reader.ActorOf(Props.Create(() => new QueueLog(id))).Ask<Recovered>(GetRecovered.Instance, Timeout);
            Assert.Equal(Enumerable.Range(0, eventsPerActor).Select(i => Queued(id.Replace('/', '-'), i).Task.TaskId),
                recovered.Replayed.Cast<TaskQueued>().Select(q => q.Task.TaskId));
        }
        await reader.Terminate();
    }

    [Fact]
    public async Task The_throwaway_server_serves_its_database_and_is_gone_after_dispose()
    {
        var server = new PostgresServer();
        string folder;
        int port;
        try
        {
            output.WriteLine($"throwaway PostgreSQL server started in {server.StartupTime.TotalMilliseconds:F0} ms");
            folder = server.Folder;
            port = server.Port;
            var facts = await Query(server.ConnectionString, "SELECT current_database(), current_setting('server_version_num')::int, pg_catalog.pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()",
                r => (Database: r.GetString(0), Version: r.GetInt32(1), Owner: r.GetString(2)));
            var fact = Assert.Single(facts);
            Assert.Equal((PostgresServer.DefaultDatabase, PostgresServer.Superuser), (fact.Database, fact.Owner));
            Assert.True(fact.Version >= 150000, $"server version {fact.Version}");
        }
        finally
        {
            server.Dispose();
        }
        Assert.False(Directory.Exists(folder));
        using var client = new TcpClient();
        Assert.ThrowsAny<SocketException>(() => client.Connect("127.0.0.1", port));
    }

    /// <summary>base.conf over postgres.conf, as a node layers them, with the local provider: these tests need no cluster.</summary>
    private static Akka.Configuration.Config NodeConfig(string connectionString) =>
        ConfigurationFactory.ParseString("""
                akka.loglevel = ERROR
                akka.actor.provider = local
                """)
            .WithFallback(ConfigurationFactory.ParseString(JournalConfig.Hocon("base.conf")))
            .WithFallback(ConfigurationFactory.ParseString(NachosSerializer.Hocon))
            .WithFallback(JournalConfig.Postgres(connectionString));

    /// <summary>Three tasks queued in two studies, one failed attempt, one completion: every queue event type.</summary>
    private static List<QueueEvent> QueueHistory(string study)
    {
        var a = TaskSpec.ForSplit(study, 0, 1, 0, Config, 20, 42);
        var b = TaskSpec.ForSplit("other", 0, 1, 1, Config, 20, 43);
        var c = TaskSpec.Refit(study, 1, 2, Config.With("optimizer", "adam"), 7, 44);
        var result = new TrainingResult(a.TaskId, 4, 7, 0.25,
            new Dictionary<string, double?> { ["auroc"] = 0.91, ["sensitivity"] = null }, new Dictionary<string, double?>(),
            "history.csv", "predictions.csv", 1.5, "cpu0");
        return [new TaskQueued(a, 2), new TaskQueued(b, 2), new TaskQueued(c, 0), new TaskAttemptRecorded(b.TaskId, "out of memory"), new TaskCompleted(new TaskOutcome(a.TaskId, result, null, 1))];
    }

    private static TaskQueued Queued(string study, int n) => new(TaskSpec.ForSplit(study, 0, n, 0, Config, 10, n), 1);

    /// <summary>The order the queue would hand out its pending tasks.</summary>
    private static List<string> PendingOrder(QueueState state)
    {
        var order = new List<string>();
        for (var (s, t) = state.Take(); t is not null; (s, t) = s.Take()) order.Add(t.Task.TaskId);
        return order;
    }

    private static async Task<List<T>> Query<T>(string connectionString, string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync()) rows.Add(read(reader));
        return rows;
    }

    private sealed record GetRecovered
    {
        public static readonly GetRecovered Instance = new();
    }

    private sealed record TakeSnapshot
    {
        public static readonly TakeSnapshot Instance = new();
    }

    private sealed record Recovered(bool FromSnapshot, IReadOnlyList<QueueEvent> Replayed, long LastSequenceNr, QueueState State);

    /// <summary>The work queue's journal without its behaviour: persists queue events, snapshots on request, reports what it recovered.</summary>
    private sealed class QueueLog : ReceivePersistentActor
    {
        private readonly List<QueueEvent> _replayed = [];
        private QueueState _state = QueueState.Empty;
        private bool _fromSnapshot;
        private IActorRef? _snapshotRequester;

        public override string PersistenceId { get; }

        public QueueLog(string persistenceId)
        {
            PersistenceId = persistenceId;
            Recover<SnapshotOffer>(offer =>
            {
                _fromSnapshot = true;
                _state = QueueState.FromSnapshot((QueueSnapshot)offer.Snapshot);
            });
            Recover<QueueEvent>(e =>
            {
                _replayed.Add(e);
                _state = _state.Apply(e);
            });
            Command<QueueEvent>(e =>
            {
                var replyTo = Sender;
                Persist(e, persisted =>
                {
                    _state = _state.Apply(persisted);
                    replyTo.Tell(LastSequenceNr);
                });
            });
            Command<TakeSnapshot>(_ =>
            {
                _snapshotRequester = Sender;
                SaveSnapshot(_state.ToSnapshot());
            });
            Command<SaveSnapshotSuccess>(s => _snapshotRequester?.Tell(s.Metadata.SequenceNr));
            Command<SaveSnapshotFailure>(f => _snapshotRequester?.Tell(new Status.Failure(f.Cause)));
            Command<GetRecovered>(_ => Sender.Tell(new Recovered(_fromSnapshot, _replayed.ToList(), LastSequenceNr, _state)));
        }
    }
}
