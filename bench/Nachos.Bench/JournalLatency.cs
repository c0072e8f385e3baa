using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Sql;
using Microsoft.Data.Sqlite;
using Nachos.Actors.Node;
using Nachos.Tests;

namespace Nachos.Bench;

/// <summary>
/// Diagnostics: Persist latency and new-entity recovery cost on the SQLite journal, or with --postgres on a
/// throwaway PostgreSQL server with hocon/postgres.conf (NACHOS_BENCH_HOCON adds settings).
/// </summary>
public static class JournalLatency
{
    public static async Task<int> Run(string[] args)
    {
        if (args.Contains("--postgres"))
        {
            // Durable unless asked otherwise: SQLite fsyncs its commits too.
            var clock = Stopwatch.StartNew();
            using var server = args.Contains("--no-fsync") ? new PostgresServer() : PostgresServer.StartDurable();
            Console.WriteLine($"PostgreSQL {(args.Contains("--no-fsync") ? "(fsync off)" : "(fsync on)")} started in {clock.Elapsed.TotalMilliseconds:F0} ms");
            return await Measure(ConfigurationFactory.ParseString($"""
                akka.loglevel = ERROR
                {Environment.GetEnvironmentVariable("NACHOS_BENCH_HOCON")}
                """).WithFallback(JournalConfig.Postgres(server.ConnectionString)));
        }

        var dir = Path.Combine(Path.GetTempPath(), "nachos-journal-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var db = Path.Combine(dir, "j.db");
        using (var c = new SqliteConnection($"Data Source={db}")) { c.Open(); using var cmd = c.CreateCommand(); cmd.CommandText = "PRAGMA journal_mode=WAL;"; cmd.ExecuteNonQuery(); }
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = ERROR
            akka.persistence.journal.plugin = "akka.persistence.journal.sql"
            akka.persistence.journal.sql { connection-string = "Data Source={{db}}", provider-name = "SQLite.MS", auto-initialize = on }
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
            akka.persistence.snapshot-store.sql { connection-string = "Data Source={{db}}", provider-name = "SQLite.MS", auto-initialize = on }
            {{Environment.GetEnvironmentVariable("NACHOS_BENCH_HOCON")}}
            """).WithFallback(SqlPersistence.DefaultConfiguration);
        var status = await Measure(config);
        Directory.Delete(dir, true);
        return status;
    }

    private static async Task<int> Measure(Config config)
    {
        using var system = ActorSystem.Create("j", config);
        // Warm up.
        await system.ActorOf(Props.Create(() => new Writer("warm", 10))).Ask<long>("go", TimeSpan.FromMinutes(1));

        var clock = Stopwatch.StartNew();
        await system.ActorOf(Props.Create(() => new Writer("one", 500))).Ask<long>("go", TimeSpan.FromMinutes(5));
        Console.WriteLine($"sequential Persist, one actor: {clock.Elapsed.TotalMilliseconds / 500:F2} ms each");

        clock.Restart();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => system.ActorOf(Props.Create(() => new Writer($"eight{i}", 250))).Ask<long>("go", TimeSpan.FromMinutes(5))));
        Console.WriteLine($"sequential Persist, 8 actors at once: {8 * 250 / clock.Elapsed.TotalSeconds:F0} events/s");

        clock.Restart();
        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => system.ActorOf(Props.Create(() => new Writer($"new{i}", 1))).Ask<long>("go", TimeSpan.FromMinutes(5))));
        Console.WriteLine($"300 new entities (recover + one Persist): {clock.Elapsed.TotalMilliseconds / 300:F2} ms each, {300 / clock.Elapsed.TotalSeconds:F0}/s");
        await system.Terminate();
        return 0;
    }

    private sealed class Writer : ReceivePersistentActor
    {
        public override string PersistenceId { get; }

        // As the study entities recover: without asking the snapshot store.
        public override Recovery Recovery => new(SnapshotSelectionCriteria.None);

        public Writer(string id, int count)
        {
            PersistenceId = id;
            Recover<string>(_ => { });
            Command<string>(_ =>
            {
                var replyTo = Sender;
                var left = count;
                void Next()
                {
                    Persist("e", _ =>
                    {
                        if (--left == 0) replyTo.Tell(0L);
                        else Next();
                    });
                }
                Next();
            });
        }
    }
}
