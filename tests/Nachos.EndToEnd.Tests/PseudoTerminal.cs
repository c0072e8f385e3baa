using System.Diagnostics;
using System.Text;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// The real <c>nachos</c> on a pseudo-terminal, as a person's terminal runs it: <c>script</c> (util-linux) makes the
/// terminal, the keys typed go in through it (so Ctrl-C is the terminal's interrupt, a SIGINT to the foreground
/// process) and everything the program draws comes back, ANSI sequences included.
/// </summary>
public sealed class PseudoTerminal : IDisposable
{
    public const string Up = "\u001b[A", CtrlC = "\u0003", CtrlD = "\u0004";

    private readonly Process _process;
    private readonly StringBuilder _screen = new();
    private readonly Task _reader;

    /// <param name="home">HOME of the program: where the shell keeps its history.</param>
    public PseudoTerminal(string workingDirectory, string home, params string[] args)
    {
        // Through env --default-signal=INT: a test run started in the background (nohup … &, a CI runner) ignores SIGINT,
        // every child inherits that (seen: the suite's testhost has SIGINT in SigIgn), and the shell may not see the Ctrl-C typed.
        var start = new ProcessStartInfo("env")
        {
            WorkingDirectory = workingDirectory, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        // A terminal of a person's size: script's own, without a terminal around it, is too short for a live view.
        var command = "stty rows 60 cols 160 && exec "
                      + string.Join(' ', new[] { "dotnet", Path.Combine(AppContext.BaseDirectory, "nachos.dll") }.Concat(args).Select(Quote));
        foreach (var a in new[] { "--default-signal=INT", "script", "-q", "-f", "-e", "-c", command, "/dev/null" }) start.ArgumentList.Add(a);
        start.Environment["HOME"] = home;
        start.Environment["TERM"] = "xterm";
        _process = Process.Start(start)!;
        _reader = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = await _process.StandardOutput.ReadAsync(buffer)) > 0) lock (_screen) _screen.Append(buffer, 0, n);
        });
    }

    /// <summary>Everything drawn so far.</summary>
    public string Screen
    {
        get { lock (_screen) return _screen.ToString(); }
    }

    /// <summary>Where the screen ends now: what <see cref="Until"/> looks at after it.</summary>
    public int Mark => Screen.Length;

    /// <summary>Waits (up to a minute) until <paramref name="text"/> was drawn after <paramref name="from"/>.</summary>
    public async Task Until(string text, int from = 0)
    {
        Assert.True(await Within(text, from, TimeSpan.FromSeconds(60)), $"'{text}' never appeared on the terminal:\n{Screen}");
    }

    /// <summary>Whether <paramref name="text"/> appears after <paramref name="from"/> within <paramref name="time"/>.</summary>
    public async Task<bool> Within(string text, int from, TimeSpan time)
    {
        var deadline = DateTime.UtcNow + time;
        while (!Screen[from..].Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow >= deadline) return false;
            await Task.Delay(50);
        }
        return true;
    }

    public async Task Type(string keys)
    {
        await _process.StandardInput.WriteAsync(keys);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits (up to 30 s) for the program to end; its exit code.</summary>
    public async Task<int> Exit()
    {
        Assert.True(_process.WaitForExit(TimeSpan.FromSeconds(30)), $"nachos did not exit:\n{Screen}");
        await _reader;
        return _process.ExitCode;
    }

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''") + "'";

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
