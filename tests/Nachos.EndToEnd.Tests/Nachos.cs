using System.Diagnostics;
using System.Text;

namespace Nachos.EndToEnd.Tests;

/// <summary>Runs the real <c>nachos</c> executable (built next to the tests) as a child process.</summary>
public sealed class NachosProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();
    private readonly StringBuilder _all = new();

    // A process started in the background by a non-interactive shell (CI runners, `cmd &`) inherits
    // SIGINT ignored, and .NET then rightly leaves Ctrl-C ignored; env (which execs, keeping the pid)
    // gives nachos the disposition a terminal user's process has.
    private static readonly string[] FromTerminal = ["env", "--default-signal=INT", "dotnet"];

    // What a batch script's `nachos ... &` gets (Slurm, nohup-style launchers): SIGINT ignored.
    private static readonly string[] FromBatchScript = ["sh", "-c", "trap '' INT; exec dotnet \"$@\"", "sh"];

    public NachosProcess(string workingDirectory, params string[] args) : this(workingDirectory, null, args)
    {
    }

    public NachosProcess(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
        : this(FromTerminal, workingDirectory, environment, null, args)
    {
    }

    /// <summary>Started as a batch script's background command is: with SIGINT ignored.</summary>
    public static NachosProcess StartFromBatchScript(string workingDirectory, params string[] args) =>
        new(FromBatchScript, workingDirectory, null, null, args);

    /// <param name="input">Written to standard input, which is then closed (null: no input redirection).</param>
    private NachosProcess(string[] launcher, string workingDirectory, IReadOnlyDictionary<string, string>? environment, string? input, string[] args)
    {
        var start = new ProcessStartInfo(launcher[0])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
        foreach (var a in launcher.Skip(1)) start.ArgumentList.Add(a);
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "nachos.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["COLUMNS"] = "200";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => { lock (_out) _out.AppendLine(e.Data); Append(e.Data, ""); };
        _process.ErrorDataReceived += (_, e) => { lock (_err) _err.AppendLine(e.Data); Append(e.Data, "[stderr] "); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (input is not null)
        {
            _process.StandardInput.Write(input);
            _process.StandardInput.Close();
        }
    }

    public int Id => _process.Id;
    public string Output { get { lock (_out) return _out.ToString(); } }
    public string Error { get { lock (_err) return _err.ToString(); } }

    /// <summary>Standard output and error as they arrived, error lines marked.</summary>
    public string Combined { get { lock (_all) return _all.ToString(); } }

    private void Append(string? line, string mark)
    {
        if (line is null) return; // end of the stream
        lock (_all) _all.Append(mark).AppendLine(line);
    }

    /// <summary>
    /// After the process has exited, waits (up to 10 s) until its last output has been read: an exit seen
    /// through <see cref="HasExited"/> or a timed WaitForExit does not wait for the redirected streams.
    /// </summary>
    public void DrainOutput()
    {
        try { _process.WaitForExitAsync().Wait(TimeSpan.FromSeconds(10)); }
        catch (AggregateException) { }
    }

    public int Wait(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(true);
            throw new TimeoutException($"nachos did not finish in {timeout}:\n{Output}\n{Error}");
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public static (int Code, string Output, string Error) Run(string workingDirectory, params string[] args) =>
        Run(workingDirectory, null, args);

    public static (int Code, string Output, string Error) Run(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Run(TimeSpan.FromMinutes(5), workingDirectory, environment, args);

    /// <summary>Runs with a longer guard against a hang than the 5 minutes of <see cref="Run(string, string[])"/>: a whole real study.</summary>
    public static (int Code, string Output, string Error) Run(TimeSpan limit, string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var p = new NachosProcess(workingDirectory, environment, args);
        var code = p.Wait(limit);
        return (code, p.Output, p.Error);
    }

    /// <summary>Runs through <paramref name="wrapper"/> (a command that execs the rest, such as setpriv with its options).</summary>
    public static (int Code, string Output, string Error) RunWrapped(string[] wrapper, string workingDirectory, params string[] args)
    {
        using var p = new NachosProcess([.. wrapper, .. FromTerminal], workingDirectory, null, null, args);
        var code = p.Wait(TimeSpan.FromMinutes(5));
        return (code, p.Output, p.Error);
    }

    /// <summary>Runs with <paramref name="input"/> on standard input (the interactive shell reads it line by line).</summary>
    public static (int Code, string Output, string Error) RunWithInput(string workingDirectory, string input, params string[] args)
    {
        using var p = new NachosProcess(FromTerminal, workingDirectory, null, input, args);
        var code = p.Wait(TimeSpan.FromMinutes(5));
        return (code, p.Output, p.Error);
    }

    /// <summary>kill -9: no shutdown, no flush, no goodbye.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: false);

    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>Sends SIGTERM, as Slurm does at pre-emption or walltime.</summary>
    public void Terminate() => Process.Start("kill", ["-TERM", _process.Id.ToString()])!.WaitForExit();

    /// <summary>Sends SIGINT, as Ctrl-C in a terminal does.</summary>
    public void Interrupt() => Process.Start("kill", ["-INT", _process.Id.ToString()])!.WaitForExit();

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(true);
        _process.Dispose();
    }
}
