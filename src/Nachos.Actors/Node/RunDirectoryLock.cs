namespace Nachos.Actors.Node;

/// <summary>
/// One process per run directory: SQLite allows one writer, and two nodes would fight over the entities.
/// Taken before anything is written to the directory, so of two processes starting on it at once the loser
/// changes nothing. Released when disposed (and by the OS when the process dies).
/// </summary>
public sealed class RunDirectoryLock : IDisposable
{
    public const string LockFile = "node.lock";
    public const string PidFile = "node.pid";

    // The HResult of .NET's IOException when the lock is held: on Linux flock(LOCK_EX | LOCK_NB)'s errno
    // EWOULDBLOCK (11); on Windows ERROR_SHARING_VIOLATION. Any other IOException is a fault of the directory.
    private static bool HeldByAnother(IOException e) => e.HResult is 11 or unchecked((int)0x80070020);

    private readonly FileStream _stream;

    private RunDirectoryLock(FileStream stream) => _stream = stream;

    /// <exception cref="RunDirectoryException">the directory is in use by another process, or cannot be written (with the cause).</exception>
    public static RunDirectoryLock Acquire(string dir)
    {
        var pidFile = Path.Combine(dir, PidFile);
        FileStream? stream = null;
        try
        {
            Directory.CreateDirectory(dir);
            stream = new FileStream(Path.Combine(dir, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            File.WriteAllText(pidFile, Environment.ProcessId.ToString());
            return new RunDirectoryLock(stream);
        }
        catch (IOException e) when (HeldByAnother(e))
        {
            var owner = File.Exists(pidFile) ? File.ReadAllText(pidFile).Trim() : "?";
            throw new RunDirectoryException($"{dir} is in use by another nachos process (pid {owner}); a SQLite journal takes one node — wait for it, or use PostgreSQL for several nodes");
        }
        catch (UnauthorizedAccessException)
        {
            stream?.Dispose();
            throw new RunDirectoryException($"{dir}: permission denied; the user running nachos needs to create and write files there (or choose another --run-dir / --root)");
        }
        catch (IOException e)
        {
            stream?.Dispose();
            // The OS's own words: "Read-only file system", "No space left on device", ...
            throw new RunDirectoryException($"{dir}: cannot write there ({e.Message.Split(" : ")[0].TrimEnd('.')}); choose another --run-dir / --root");
        }
    }

    public void Dispose() => _stream.Dispose();
}

/// <summary>A run directory that cannot be used: in use by another process, or not writable.</summary>
public sealed class RunDirectoryException(string message) : Exception(message);
