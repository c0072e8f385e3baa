namespace Nachos.Shared.Data;

/// <summary>realpath(3) in managed code: an absolute path with every symbolic link on the way followed.</summary>
public static class RealPath
{
    private const int MaxLinks = 40; // as Linux's ELOOP limit

    /// <summary>Parts that do not exist are kept as they are (a file about to be written resolves through its folder).</summary>
    public static string Resolve(string fullPath)
    {
        var pending = new Stack<string>(fullPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var current = "/";
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }
            var next = Path.Join(current, part);
            string? target;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                target = null;
            }
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks) throw new IOException($"{fullPath}: too many levels of symbolic links");
            foreach (var p in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()) pending.Push(p);
            if (target.StartsWith('/')) current = "/";
        }
        return current;
    }
}
