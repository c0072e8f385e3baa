namespace Nachos.Shared.Files;

/// <summary>
/// The one way a file is replaced: written whole under a temporary name beside it (<c>PATH.tmp</c>), then
/// renamed over it, so a reader, or a crash mid-write, sees the old file or the new one, never half of one.
/// Files made once and never replaced (the campaign key, the API token) are made with <see cref="CreateOnce"/>.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text) => Write(path, temporary => File.WriteAllText(temporary, text));

    /// <param name="writeTemporary">Writes the whole content to the path it is given.</param>
    public static void Write(string path, Action<string> writeTemporary)
    {
        var temporary = path + ".tmp";
        try
        {
            writeTemporary(temporary);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Makes a file that is written once and never replaced, private to its owner. Of several processes or threads
    /// making it at once exactly one writes it (whole, as <see cref="Write"/> does) and the others find it there.
    /// The makers take turns through <c>PATH.lock</c>, made exclusively: a no-replace rename or link is not atomic
    /// on every file system (.NET falls back to check-then-rename where the system lacks it).
    /// </summary>
    /// <returns>true when this call wrote the file; false when it was there already.</returns>
    public static bool CreateOnce(string path, Func<byte[]> content)
    {
        var lockPath = path + ".lock";
        while (true)
        {
            if (File.Exists(path)) return false;
            if (TryTake(lockPath) is { } held)
            {
                using (held)
                {
                    try
                    {
                        if (File.Exists(path)) return false;
                        Write(path, temporary => WritePrivate(temporary, content()));
                        return true;
                    }
                    finally
                    {
                        File.Delete(lockPath);
                    }
                }
            }
            // A maker that died holding the lock left it behind; one that lives holds it for milliseconds.
            var left = new FileInfo(lockPath);
            if (left.Exists && DateTime.UtcNow - left.LastWriteTimeUtc > StaleLock) File.Delete(lockPath);
            Thread.Sleep(5);
        }
    }

    private static readonly TimeSpan StaleLock = TimeSpan.FromSeconds(30);

    private static FileStream? TryTake(string lockPath)
    {
        try
        {
            return new FileStream(lockPath, FileMode.CreateNew, FileAccess.Write);
        }
        catch (IOException) when (File.Exists(lockPath))
        {
            return null;
        }
    }

    private static void WritePrivate(string path, byte[] content)
    {
        File.Delete(path); // one left by a maker that died: made anew, so that it is private
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var file = new FileStream(path, options);
        file.Write(content);
        file.Flush(flushToDisk: true);
    }
}
