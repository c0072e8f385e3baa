using Nachos.Shared.Tasks;
using System.Text.Json;

namespace Nachos.Shared.TaskProcess;

/// <summary>
/// progress.jsonl in a task folder: the <c>nachos task</c> child appends one JSON line per finished epoch; its node
/// tails it. A file rather than the child's stdout, so what an attempt reached survives its node's restart.
/// </summary>
public static class ProgressLog
{
    private static readonly JsonSerializerOptions Line = new(ChildFiles.Options) { WriteIndented = false };

    public static void Append(string file, EpochProgress epoch)
    {
        // One write of the whole line: a reader sees a line complete or torn at its end, never two interleaved.
        var line = JsonSerializer.SerializeToUtf8Bytes(epoch, Line);
        using var stream = new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        stream.Write([.. line, (byte)'\n']);
    }
}

/// <summary>
/// Reads a progress.jsonl incrementally: each call reads only the bytes appended since the last. A last line without
/// its newline (being written, or the child killed mid-write) waits for the next call; a line that does not parse is
/// skipped. Neither is an error: progress is for display only.
/// </summary>
public sealed class ProgressTail(string file)
{
    private long _offset;
    private byte[] _partial = [];

    public string File => file;

    /// <summary>The latest complete epoch so far (null before the first).</summary>
    public EpochProgress? Latest { get; private set; }

    /// <summary>Reads what was appended; returns <see cref="Latest"/>. A missing file is no progress yet; a shorter one (a new attempt started over) is read from its start.</summary>
    public EpochProgress? Poll()
    {
        byte[] appended;
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length < _offset)
            {
                _offset = 0;
                _partial = [];
            }
            if (stream.Length == _offset) return Latest;
            stream.Seek(_offset, SeekOrigin.Begin);
            appended = new byte[stream.Length - _offset];
            stream.ReadExactly(appended);
            _offset += appended.Length;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return Latest; }
        var bytes = _partial.Length == 0 ? appended : [.. _partial, .. appended];
        var start = 0;
        for (int end; (end = Array.IndexOf(bytes, (byte)'\n', start)) >= 0; start = end + 1)
            if (Parse(bytes.AsSpan(start, end - start)) is { } epoch) Latest = epoch;
        _partial = bytes[start..];
        return Latest;
    }

    private static EpochProgress? Parse(ReadOnlySpan<byte> line)
    {
        try { return JsonSerializer.Deserialize<EpochProgress>(line, ChildFiles.Options); }
        catch (JsonException) { return null; }
    }
}
