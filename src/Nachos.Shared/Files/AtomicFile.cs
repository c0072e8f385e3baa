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
    /// <exception cref="IOException">the lock stayed for <paramref name="patience"/> (30 s): left by a maker that died
    /// while making the file; the message names it. It is not taken over: on a shared file system a lock that looks old
    /// may be another host's live one.</exception>
    public static bool CreateOnce(string path, Func<byte[]> content, TimeSpan? patience = null)
    {
        var lockPath = path + ".lock";
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (File.Exists(path)) return false;
            if (TryTake(lockPath, path) is { } held)
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
            if (waited.Elapsed > (patience ?? TimeSpan.FromSeconds(30)))
                throw new IOException($"{lockPath} is still there after {waited.Elapsed.TotalSeconds:F0} s: left by a process that died while making {Path.GetFileName(path)}; delete it and start again");
            Thread.Sleep(5);
        }
    }

    private static FileStream? TryTake(string lockPath, string path)
    {
        try
        {
            return new FileStream(lockPath, FileMode.CreateNew, FileAccess.Write);
        }
        // Another maker holds the lock, or held it and has made the file since (it deletes the lock only after).
        catch (IOException) when (File.Exists(lockPath) || File.Exists(path))
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
