namespace Nachos.Host.Cli;

/// <summary>
/// The interactive shell's history file, <c>~/.nachos/shell-history</c>: one command a line, the latest <see cref="Kept"/>,
/// readable by its owner only. A line that names a token (<c>--token</c>) is not written. Best effort: a home that cannot be
/// read or written leaves the history to the session.
/// </summary>
public sealed class ShellHistory(string path)
{
    public const int Kept = 1000;

    public static string DefaultPath => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nachos", "shell-history");

    public string FilePath { get; } = path;

    /// <summary>The commands of earlier sessions, oldest first.</summary>
    public IReadOnlyList<string> Load()
    {
        try
        {
            return File.Exists(FilePath) ? File.ReadLines(FilePath).Where(l => l.Length > 0).TakeLast(Kept).ToList() : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public void Append(string line)
    {
        if (line.Length == 0 || line.Contains('\n') || line.Contains("--token", StringComparison.Ordinal)) return;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            var lines = Load();
            if (lines.Count > 0 && lines[^1] == line) return;
            // Written whole each time (a thousand lines at most), by a rename: two shells never leave half a file.
            var temporary = $"{FilePath}.{Environment.ProcessId}.tmp";
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var writer = new StreamWriter(temporary, options))
                foreach (var kept in lines.TakeLast(Kept - 1).Append(line)) writer.WriteLine(kept);
            File.Move(temporary, FilePath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
