namespace Nachos.Shared.Files;

/// <summary>
/// The one way a file is replaced: written whole under a temporary name beside it (<c>PATH.tmp</c>), then
/// renamed over it, so a reader, or a crash mid-write, sees the old file or the new one, never half of one.
/// Files made once and never replaced (the campaign key, the API token) are linked into place instead.
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
}
