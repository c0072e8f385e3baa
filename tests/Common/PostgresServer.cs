using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Nachos.Tests;

/// <summary>
/// A real, throwaway PostgreSQL server: initdb into a temporary folder, started on a free loopback port
/// with its unix socket in that folder, trust authentication, superuser <c>postgres</c>, and one database
/// <c>nachos</c>. Dispose stops it (immediate mode) and deletes the folder. Usable as an xunit class or
/// collection fixture. Binaries come from NACHOS_PG_BIN, else the newest /usr/lib/postgresql/*/bin; when
/// none are found the constructor throws, so a test that needs PostgreSQL fails instead of skipping.
/// </summary>
public sealed partial class PostgresServer : IDisposable
{
    public const string Superuser = "postgres";
    public const string DefaultDatabase = "nachos";

    private readonly string _bin;
    private readonly string? _runAs;
    private readonly string _data;
    private bool _disposed;

    /// <summary>A server tuned for tests: no fsync, no synchronous commit.</summary>
    public PostgresServer() : this(durable: false) { }

    private PostgresServer(bool durable)
    {
        var clock = Stopwatch.StartNew();
        _bin = FindBinaries();
        // initdb and pg_ctl refuse to run as root: the server then runs as an unprivileged user.
        _runAs = Environment.IsPrivilegedProcess ? UnprivilegedUser() : null;
        Folder = Path.Combine(Path.GetTempPath(), "nachos-pg-" + Guid.NewGuid().ToString("N")[..12]);
        _data = Path.Combine(Folder, "data");
        if (_runAs is null) Directory.CreateDirectory(Folder);
        else Run("mkdir", "-m", "700", Folder);
        try
        {
            Run(Path.Combine(_bin, "initdb"), "-D", _data, "-U", Superuser, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync");
            Port = Start(durable);
            AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
            CreateDatabase(DefaultDatabase);
        }
        catch
        {
            Dispose();
            throw;
        }
        StartupTime = clock.Elapsed;
    }

    /// <summary>A server that fsyncs every commit, as a production one would (for benchmarks).</summary>
    public static PostgresServer StartDurable() => new(durable: true);

    /// <summary>Data directory, socket, and server.log.</summary>
    public string Folder { get; }
    public int Port { get; }

    /// <summary>From the constructor's start to the default database being created.</summary>
    public TimeSpan StartupTime { get; }

    /// <summary>Npgsql connection string of the default database.</summary>
    public string ConnectionString => ConnectionStringFor(DefaultDatabase);

    public string ConnectionStringFor(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={Superuser};Database={database}";

    /// <summary>A new empty database (so tests sharing one server do not share a journal); returns its connection string.</summary>
    public string CreateDatabase(string name)
    {
        if (!DatabaseName().IsMatch(name)) throw new ArgumentException($"not a plain database name: {name}", nameof(name));
        Run(Path.Combine(_bin, "createdb"), "-h", "127.0.0.1", "-p", Port.ToString(), "-U", Superuser, name);
        return ConnectionStringFor(name);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        Stop();
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private void OnProcessExit(object? sender, EventArgs e) => Stop();

    private int Start(bool durable)
    {
        var settings = durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        var log = Path.Combine(Folder, "server.log");
        // The port is free when picked but may be taken before the server binds it.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeLoopbackPort();
            try
            {
                Run(Path.Combine(_bin, "pg_ctl"), "start", "-D", _data, "-w", "-t", "60", "-l", log,
                    "-o", $"-c listen_addresses=127.0.0.1 -p {port} -k '{Folder}'{settings}");
                return port;
            }
            catch (InvalidOperationException e) when (attempt < 3)
            {
                Console.Error.WriteLine($"PostgreSQL did not start on port {port}, trying another: {e.Message}");
            }
            catch (InvalidOperationException e)
            {
                var tail = File.Exists(log) ? File.ReadAllText(log) : "(no server log)";
                throw new InvalidOperationException($"{e.Message}\nserver log:\n{tail}", e);
            }
        }
    }

    private void Stop()
    {
        if (!File.Exists(Path.Combine(_data, "postmaster.pid"))) return;
        try { Run(Path.Combine(_bin, "pg_ctl"), "stop", "-D", _data, "-m", "immediate", "-w", "-t", "30"); }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"pg_ctl stop failed, killing the postmaster: {e.Message}");
            KillPostmaster();
        }
    }

    private void KillPostmaster()
    {
        try
        {
            var pid = int.Parse(File.ReadLines(Path.Combine(_data, "postmaster.pid")).First());
            using var postmaster = Process.GetProcessById(pid);
            postmaster.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is IOException or FormatException or ArgumentException or InvalidOperationException)
        {
            Console.Error.WriteLine($"could not kill the postmaster of {_data}: {e.Message}");
        }
    }

    /// <summary>Runs a command (as <see cref="_runAs"/> when set) and returns its output; throws with the output on failure.</summary>
    private string Run(string exe, params string[] args)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (_runAs is null) start.FileName = exe;
        else
        {
            start.FileName = "runuser";
            foreach (var a in new[] { "-u", _runAs, "--", exe }) start.ArgumentList.Add(a);
        }
        foreach (var a in args) start.ArgumentList.Add(a);
        // initdb and pg_ctl read these; the test process's own values must not leak in.
        foreach (var name in new[] { "PGDATA", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD" }) start.Environment.Remove(name);
        start.Environment["LC_ALL"] = "C";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {exe}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Path.GetFileName(exe)} did not finish in 120 s");
        }
        var output = stdout.Result + stderr.Result;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(exe)} {string.Join(' ', args)} exited with {process.ExitCode}:\n{output}");
        return output;
    }

    private static string FindBinaries()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("NACHOS_PG_BIN");
        if (!string.IsNullOrEmpty(fromEnvironment))
            return File.Exists(Path.Combine(fromEnvironment, "initdb"))
                ? fromEnvironment
                : throw new InvalidOperationException($"NACHOS_PG_BIN={fromEnvironment} holds no initdb");
        const string root = "/usr/lib/postgresql";
        var newest = (Directory.Exists(root) ? Directory.GetDirectories(root) : [])
            .Select(d => (Bin: Path.Combine(d, "bin"), Version: ParseVersion(Path.GetFileName(d))))
            .Where(c => c.Version is not null && File.Exists(Path.Combine(c.Bin, "initdb")) && File.Exists(Path.Combine(c.Bin, "pg_ctl")))
            .OrderByDescending(c => c.Version)
            .FirstOrDefault();
        return newest.Bin ?? throw new InvalidOperationException(
            $"no PostgreSQL server binaries (initdb, pg_ctl) under {root}/*/bin: install them (Debian: apt-get install postgresql) or set NACHOS_PG_BIN");
    }

    private static Version? ParseVersion(string name) => Version.TryParse(name.Contains('.') ? name : name + ".0", out var v) ? v : null;

    /// <summary>The <c>postgres</c> user the Debian package creates, else <c>nobody</c>.</summary>
    private static string UnprivilegedUser()
    {
        var users = File.ReadLines("/etc/passwd").Select(l => l.Split(':')[0]).ToHashSet();
        return users.Contains("postgres") ? "postgres"
            : users.Contains("nobody") ? "nobody"
            : throw new InvalidOperationException("running as root, and neither a 'postgres' nor a 'nobody' user exists to run PostgreSQL as");
    }

    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try { return ((IPEndPoint)listener.LocalEndpoint).Port; }
        finally { listener.Stop(); }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex DatabaseName();
}
