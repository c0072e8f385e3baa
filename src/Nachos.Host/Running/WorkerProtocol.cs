using System.Globalization;

namespace Nachos.Host.Running;

/// <summary>
/// What a node and its <c>nachos worker</c> say to each other: a request is one line on the worker's standard input
/// (the task file and the run directory, tab-separated); its answer is one line on the worker's standard output with the
/// exit code <c>nachos task</c> would have given. Other output lines are not the protocol's. On its standard error the worker
/// brackets each task's lines with <see cref="Begin"/> and <see cref="End"/>: standard output and standard error are read
/// apart, so the answer can come before the task's last error lines, or before a late line of the previous task.
/// </summary>
public static class WorkerProtocol
{
    public const string RequestFormat = "TASK_FILE<TAB>RUN_DIR";

    private const string DonePrefix = "nachos-worker: done ";

    /// <summary>Written to standard error when a request is read, before the task's own lines.</summary>
    public const string Begin = "nachos-worker: begin";

    /// <summary>Written to standard error after the task's own lines, before its answer.</summary>
    public const string End = "nachos-worker: end";

    /// <exception cref="ArgumentException">a path with a tab or a line break, which one line cannot carry.</exception>
    public static string Request(string taskFile, string runDir) =>
        taskFile.AsSpan().IndexOfAny("\t\r\n") >= 0 || runDir.AsSpan().IndexOfAny("\t\r\n") >= 0
            ? throw new ArgumentException($"a task file or run directory with a tab or a line break cannot be sent to a worker: {taskFile}, {runDir}")
            : $"{taskFile}\t{runDir}";

    public static (string TaskFile, string RunDir)? ParseRequest(string line) =>
        line.Split('\t') is [{ Length: > 0 } taskFile, { Length: > 0 } runDir] ? (taskFile, runDir) : null;

    public static string Done(int exitCode) => DonePrefix + exitCode.ToString(CultureInfo.InvariantCulture);

    public static int? ParseDone(string line) =>
        line.StartsWith(DonePrefix, StringComparison.Ordinal) && int.TryParse(line.AsSpan(DonePrefix.Length), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code)
            ? code : null;
}
