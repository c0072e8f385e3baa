using System.Diagnostics;

namespace Nachos.Tests;

/// <summary>A small tmpfs mounted on a fresh folder (we are root), unmounted on dispose: a real disk that fills up, or a read-only one.</summary>
internal sealed class Tmpfs : IDisposable
{
    /// <param name="readOnly">Mounted read-only: every write fails with EROFS.</param>
    public Tmpfs(string path, int megabytes, bool readOnly = false)
    {
        Path = path;
        Directory.CreateDirectory(path);
        Run("mount", "-t", "tmpfs", "-o", $"{(readOnly ? "ro," : "")}size={megabytes}m", "tmpfs", path);
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="relative"/> until the file system has no space left; returns its full path.</summary>
    public string Fill(string relative)
    {
        var file = System.IO.Path.Combine(Path, relative);
        var chunk = new byte[4096];
        using var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true) stream.Write(chunk);
        }
        catch (IOException)
        {
            // full
        }
        return file;
    }

    public void Dispose() => Run("umount", "-l", Path);

    private static void Run(string command, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardError = true })!;
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{command} {string.Join(' ', args)}: exit {p.ExitCode} {p.StandardError.ReadToEnd()}");
    }
}
