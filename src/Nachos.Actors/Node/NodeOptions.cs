using Nachos.Shared.Seeding;
namespace Nachos.Actors.Node;

/// <summary>How a node joins its cluster and what it hosts.</summary>
public sealed record NodeOptions
{
    public const string Coordinator = "coordinator";
    public const string Worker = "worker";

    /// <summary>The node's directory: the SQLite journal and its lock when no PostgreSQL is given.</summary>
    public required string WorkDir { get; init; }

    /// <summary>coordinator: hosts the work-queue singleton and the study/fold/trial shards; worker: hosts devices.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [Coordinator, Worker];

    /// <summary>host:port of seed nodes; none joins itself (a one-node cluster).</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];

    public string Host { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port (fine for a one-node cluster; seeds need fixed ports).</summary>
    public int Port { get; init; }

    /// <summary>Device slot names this node runs tasks on (cpu0, cpu1 … or cuda0 …); only on workers.</summary>
    public IReadOnlyList<string> Devices { get; init; } = ["cpu0"];

    /// <summary>Npgsql connection string of the shared journal; null keeps the journal in a SQLite file in <see cref="WorkDir"/>.</summary>
    public string? Postgres { get; init; }

    /// <summary>Akka log level; embedded runs talk to a person through the progress display, so errors only.</summary>
    public string LogLevel { get; init; } = "ERROR";

    /// <summary>HOCON that takes precedence over everything else (benchmarks and diagnostics); it cannot turn TLS off.</summary>
    public string? Overrides { get; init; }

    /// <summary>The campaign key file (<see cref="CampaignKey"/>); null: <see cref="CampaignKey.FileName"/> in <see cref="WorkDir"/>.</summary>
    public string? CampaignKeyFile { get; init; }

    public string CampaignKeyPath => CampaignKeyFile ?? CampaignKey.DefaultPath(WorkDir);

    /// <summary>
    /// Whether this node makes the campaign key when there is none: a coordinator that starts the cluster
    /// (no seeds, or its own address among them). Any other node joins a campaign that exists, so without
    /// its key it is pointed at the wrong directory, and a key of its own would only make it fail.
    /// </summary>
    public bool MayCreateCampaignKey => Is(Coordinator) && (Seeds.Count == 0 || Seeds.Contains($"{Host}:{Port}"));

    public bool Is(string role) => Roles.Contains(role);

    public static IReadOnlyList<string> CpuSlots(int n) => Enumerable.Range(0, n).Select(d => $"cpu{d}").ToList();
}
