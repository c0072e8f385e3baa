using System.Net;
using System.Net.Sockets;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// Real <c>nachos node</c> processes on loopback sharing one campaign directory and one PostgreSQL
/// journal. Nodes 0 and 1 are the seeds; each node can be killed (-9), terminated (SIGTERM) and
/// started again on its port.
/// </summary>
public sealed class LocalCluster : IDisposable
{
    /// <summary>Quick failure detection for tests: downed after ~3 s unreachable + 3 s stable, leases after 4 s.</summary>
    public static readonly IReadOnlyDictionary<string, string> FastFailover = new Dictionary<string, string>
    {
        ["NACHOS_HEARTBEAT_PAUSE"] = "3s",
        ["NACHOS_SBR_STABLE_AFTER"] = "3s",
        ["NACHOS_LEASE_TIMEOUT"] = "4s",
        ["NACHOS_JOIN_TIMEOUT"] = "10s",
    };

    private readonly (string Roles, int Devices)[] _layout;
    private readonly int[] _ports;
    private readonly NachosProcess?[] _nodes;
    private readonly List<string> _logs = [];
    private readonly IReadOnlyDictionary<string, string> _environment;

    public LocalCluster(string root, string postgres, params (string Roles, int Devices)[] layout)
        : this(root, postgres, FastFailover, layout)
    {
    }

    public LocalCluster(string root, string postgres, IReadOnlyDictionary<string, string> environment, params (string Roles, int Devices)[] layout)
    {
        _environment = environment;
        Root = root;
        Postgres = postgres;
        _layout = layout;
        _ports = FreePorts(layout.Length);
        Directory.CreateDirectory(root);
        _nodes = new NachosProcess?[layout.Length];
    }

    public string Root { get; }
    public string Postgres { get; }

    /// <summary>
    /// Acts as an operator's restart policy (Slurm requeue, systemd Restart=on-failure): a node that exits
    /// on its own, e.g. downed by the split-brain resolver after a false suspicion on a loaded machine, is
    /// started again while the cluster is awaited. Off by default, so other tests see every exit.
    /// </summary>
    public bool RestartExitedNodes { get; init; }

    /// <summary>Nodes started again by the restart policy, with the moment and the exit code they had.</summary>
    public List<string> PolicyRestarts { get; } = [];

    /// <summary>Starts node i and waits until it is a member of the cluster.</summary>
    public NachosProcess Start(int i)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return StartOnce(i);
            }
            catch (NodeExitedException e) when (RestartExitedNodes && attempt < 5)
            {
                PolicyRestarts.Add($"{DateTime.UtcNow:HH:mm:ss.fff} node {i} exited with {e.ExitCode} before joining; started again");
            }
        }
    }

    private NachosProcess StartOnce(int i)
    {
        if (_nodes[i] is { HasExited: false }) throw new InvalidOperationException($"node {i} is running");
        Collect(i);
        var seeds = _ports.Take(Math.Min(2, _ports.Length)).SelectMany(p => new[] { "--seed", $"127.0.0.1:{p}" });
        var (roles, devices) = _layout[i];
        string[] deviceArgs = devices > 0 ? ["--devices", $"cpu:{devices}"] : [];
        string[] journalArgs = Postgres.Length > 0 ? ["--postgres", Postgres] : []; // none: SQLite in the root (one node)
        var node = new NachosProcess(Root, _environment,
            ["node", "--root", Root, "--port", _ports[i].ToString(), "--api-port", "0", "--roles", roles, .. deviceArgs, .. journalArgs, .. seeds]);
        _nodes[i] = node;
        var started = System.Diagnostics.Stopwatch.StartNew();
        // A node admitted while its previous incarnation is still being downed can wait in Joining; it retries its
        // join by itself after 5 join timeouts (50 s in the tests), which a shorter limit would cut off.
        var limit = TimeSpan.FromMinutes(3);
        while (!node.Output.Contains("joined as"))
        {
            if (node.HasExited)
            {
                node.DrainOutput();
                throw new NodeExitedException(node.ExitCode, Failure(i, $"node {i} exited with {node.ExitCode} {started.Elapsed.TotalSeconds:F1} s after it was started, before it joined"));
            }
            if (started.Elapsed > limit) throw new TimeoutException(Failure(i, $"node {i} did not join within {limit.TotalSeconds:F0} s (still running)"));
            Thread.Sleep(50);
        }
        return node;
    }

    /// <summary>
    /// A failure message that leads with <paramref name="reason"/> and the last lines of node
    /// <paramref name="i"/> (CI logs keep only part of a long message), and names the file holding every
    /// node's whole log.
    /// </summary>
    private string Failure(int? i, string reason)
    {
        var file = SaveLogs();
        var tail = i is { } n && _nodes[n] is { } node ? $"\n--- node {n}, last {TailLines} lines ---\n{Tail(node.Combined, TailLines)}" : "";
        var restarts = PolicyRestarts.Count > 0 ? $"\nrestarts: {string.Join("; ", PolicyRestarts)}" : "";
        return $"{reason}; every node's log in {file}{restarts}{tail}";
    }

    private const int TailLines = 40;

    private static string Tail(string text, int lines) =>
        string.Join("\n", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines));

    /// <summary>
    /// Writes every node's log (earlier lives included) to a file next to the test's temp folder, which the
    /// test deletes when it ends, and returns its path.
    /// </summary>
    private string SaveLogs()
    {
        var folder = Path.Combine(Path.GetTempPath(), "nachos-cluster-logs");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Path.GetFileName(Path.GetDirectoryName(Root))}.log");
        File.WriteAllText(file, Logs());
        return file;
    }

    /// <summary>Under the restart policy, starts again every node that exited on its own.</summary>
    private void ApplyRestartPolicy()
    {
        if (!RestartExitedNodes) return;
        for (var i = 0; i < _nodes.Length; i++)
        {
            if (_nodes[i] is not { HasExited: true } node) continue;
            PolicyRestarts.Add($"{DateTime.UtcNow:HH:mm:ss.fff} node {i} exited with {node.ExitCode}; started again");
            Start(i);
        }
    }

    public void StartAll()
    {
        for (var i = 0; i < _layout.Length; i++) Start(i);
    }

    public void Kill(int i)
    {
        _nodes[i]!.KillHard();
        _nodes[i]!.Wait(TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGTERM, and waits for the node to leave; returns its exit code.</summary>
    public int Terminate(int i)
    {
        _nodes[i]!.Terminate();
        return _nodes[i]!.Wait(TimeSpan.FromSeconds(90));
    }

    public string StudyDir(string study) => Path.Combine(Root, "studies", study);

    /// <summary>Task results written so far (each task writes predictions.csv when it finishes).</summary>
    public int FinishedTasks(string study) =>
        Directory.Exists(StudyDir(study)) ? Directory.EnumerateFiles(StudyDir(study), "predictions.csv", SearchOption.AllDirectories).Count() : 0;

    public void WaitForTasks(string study, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (FinishedTasks(study) < count)
        {
            ApplyRestartPolicy();
            if (DateTime.UtcNow > deadline) throw new TimeoutException(Failure(null, $"{FinishedTasks(study)} of {count} tasks after {timeout}"));
            Thread.Sleep(50);
        }
    }

    public string WaitForReport(string study, TimeSpan timeout)
    {
        var file = Path.Combine(StudyDir(study), "report.json");
        var deadline = DateTime.UtcNow + timeout;
        while (!File.Exists(file))
        {
            ApplyRestartPolicy();
            if (DateTime.UtcNow > deadline) throw new TimeoutException(Failure(null, $"no report after {timeout}; {FinishedTasks(study)} tasks done"));
            Thread.Sleep(100);
        }
        return File.ReadAllText(file);
    }

    /// <summary>What every node printed, the earlier lives of restarted nodes included.</summary>
    public string Logs() => string.Join("\n", _logs.Concat(_nodes.Select((n, i) => n is null ? "" : Describe(i, n))));

    /// <summary>Process id of node i's current life (task processes name it as their node).</summary>
    public int Pid(int i) => _nodes[i]!.Id;

    public bool Running(int i) => _nodes[i] is { HasExited: false };

    /// <summary>Standard output of node i's current life.</summary>
    public string Output(int i) => _nodes[i]?.Output ?? "";

    /// <summary>Waits until node <paramref name="i"/> has printed <paramref name="text"/> (the study's report is written
    /// before its completion is journalled and logged, so the line can follow report.json by a moment).</summary>
    public string WaitForOutput(int i, string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output(i).Contains(text))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException(Failure(i, $"node {i} did not print \"{text}\" in {timeout}"));
            Thread.Sleep(100);
        }
        return Output(i);
    }

    private static string Describe(int i, NachosProcess n) =>
        $"--- node {i} ({(n.HasExited ? $"exited with {n.ExitCode}" : "running")}) ---\n{n.Combined}";

    /// <summary>Keeps an exited node's output before it is replaced.</summary>
    private void Collect(int i)
    {
        if (_nodes[i] is not { } node) return;
        _logs.Add(Describe(i, node));
        node.Dispose();
        _nodes[i] = null;
    }

    public void Dispose()
    {
        foreach (var node in _nodes) node?.Dispose();
    }

    internal static int[] FreePorts(int n)
    {
        var listeners = Enumerable.Range(0, n).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        foreach (var l in listeners) l.Start();
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var l in listeners) l.Stop();
        return ports;
    }

    private sealed class NodeExitedException(int exitCode, string message) : Exception(message)
    {
        public int ExitCode { get; } = exitCode;
    }
}
