using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Nachos.Actors.Storage;
using Nachos.Actors.Serialization;

namespace Nachos.Actors.Node;

/// <summary>
/// A node's effective configuration, highest precedence first: overrides, the node's options (command
/// line, or NACHOS_* variables read by the host), hocon/base.conf, hocon/cluster.conf (whose settings
/// read NACHOS_* variables themselves), the storage's file (sqlite.conf or postgres.conf), Akka's defaults.
/// </summary>
public static class NodeConfig
{
    /// <remarks>The logger is Akka's console logger, except that a full disk stops the node with one message
    /// instead of a stack trace per write (<see cref="StorageFaultLogger"/>); named from its type, so a move keeps it.</remarks>
    public static Config Build(NodeOptions options, string sqliteFile)
    {
        var roles = string.Join(", ", options.Roles.Select(r => $"\"{r}\""));
        return ConfigurationFactory.ParseString(options.Overrides ?? "")
            .WithFallback(EnvironmentOverrides())
            .WithFallback(ConfigurationFactory.ParseString($"""
                akka.loglevel = {options.LogLevel}
                akka.remote.dot-netty.tcp.hostname = "{options.Host}"
                akka.remote.dot-netty.tcp.port = {options.Port}
                akka.cluster.roles = [{roles}]
                akka.loggers = ["{typeof(StorageFaultLogger).AssemblyQualifiedName}"]
                """))
            .WithFallback(ConfigurationFactory.ParseString(JournalConfig.Hocon("base.conf")))
            .WithFallback(ConfigurationFactory.ParseString(NachosSerializer.Hocon))
            .WithFallback(ConfigurationFactory.ParseString(JournalConfig.Hocon("cluster.conf")))
            .WithFallback(options.Postgres is { } postgres ? JournalConfig.Postgres(postgres) : JournalConfig.Sqlite(sqliteFile))
            .WithFallback(ClusterSharding.DefaultConfig())
            .WithFallback(ClusterSingleton.DefaultConfig());
    }

    /// <summary>Environment variables that override settings of hocon/cluster.conf (docs/operations.md).</summary>
    public static readonly IReadOnlyDictionary<string, string> EnvironmentKeys = new Dictionary<string, string>
    {
        ["NACHOS_LEASE_TIMEOUT"] = "nachos.lease-timeout",
        ["NACHOS_SBR_STABLE_AFTER"] = "akka.cluster.split-brain-resolver.stable-after",
        ["NACHOS_HEARTBEAT_PAUSE"] = "akka.cluster.failure-detector.acceptable-heartbeat-pause",
        ["NACHOS_JOIN_TIMEOUT"] = "nachos.join-timeout",
    };

    private static Config EnvironmentOverrides()
    {
        var lines = EnvironmentKeys
            .Select(kv => (kv.Value, Environment.GetEnvironmentVariable(kv.Key)))
            .Where(kv => !string.IsNullOrWhiteSpace(kv.Item2))
            .Select(kv => $"{kv.Value} = \"{kv.Item2!.Trim()}\"");
        return ConfigurationFactory.ParseString(string.Join("\n", lines));
    }

    /// <summary>The settings an operator wants to see at start, secrets (passwords in connection strings) redacted.</summary>
    public static IReadOnlyList<(string Key, string Value)> Describe(Config config) =>
    [
        ("akka.remote.dot-netty.tcp.hostname", config.GetString("akka.remote.dot-netty.tcp.hostname")),
        ("akka.remote.dot-netty.tcp.port", config.GetString("akka.remote.dot-netty.tcp.port")),
        ("akka.cluster.roles", string.Join(",", config.GetStringList("akka.cluster.roles"))),
        ("akka.cluster.split-brain-resolver.active-strategy", config.GetString("akka.cluster.split-brain-resolver.active-strategy")),
        ("akka.cluster.split-brain-resolver.stable-after", config.GetString("akka.cluster.split-brain-resolver.stable-after")),
        ("akka.cluster.failure-detector.acceptable-heartbeat-pause", config.GetString("akka.cluster.failure-detector.acceptable-heartbeat-pause")),
        ("akka.persistence.journal.sql.provider-name", config.GetString("akka.persistence.journal.sql.provider-name")),
        ("akka.persistence.journal.sql.connection-string", Redact(config.GetString("akka.persistence.journal.sql.connection-string"))),
        ("nachos.lease-timeout", config.GetString("nachos.lease-timeout")),
        ("nachos.join-timeout", config.GetString("nachos.join-timeout")),
    ];

    public static string Redact(string connectionString) =>
        System.Text.RegularExpressions.Regex.Replace(connectionString, @"(?i)(password|pwd)\s*=\s*[^;]*", "$1=***");
}
