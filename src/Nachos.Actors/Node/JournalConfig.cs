using Akka.Configuration;
using Akka.Persistence.Sql;

namespace Nachos.Actors.Node;

/// <summary>
/// The storage layers of a node's configuration: the connection string over the storage's HOCON file
/// (hocon/sqlite.conf or hocon/postgres.conf) over Akka.Persistence.Sql's defaults. Layer base.conf and
/// any overrides above it.
/// </summary>
public static class JournalConfig
{
    /// <summary>Journal and snapshots in one SQLite file (the caller sets WAL mode before the system starts).</summary>
    public static Config Sqlite(string file) =>
        Layers(SqliteJournalOptions.ConnectionString(file), "sqlite.conf");

    /// <summary>Journal and snapshots in one PostgreSQL database, given an Npgsql connection string.</summary>
    public static Config Postgres(string connectionString) => Layers(connectionString, "postgres.conf");

    /// <summary>A file of the node's hocon folder (copied next to the assemblies).</summary>
    public static string Hocon(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", name));

    private static Config Layers(string connectionString, string file)
    {
        var quoted = Quote(connectionString);
        return ConfigurationFactory.ParseString($"""
                akka.persistence.journal.sql.connection-string = {quoted}
                akka.persistence.snapshot-store.sql.connection-string = {quoted}
                """)
            .WithFallback(ConfigurationFactory.ParseString(Hocon(file)))
            .WithFallback(SqlPersistence.DefaultConfiguration);
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
