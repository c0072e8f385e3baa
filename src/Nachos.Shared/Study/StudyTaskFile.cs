using System.Text.Json;
using System.Text.Json.Serialization;
using Nachos.Shared.Files;

namespace Nachos.Shared.Study;

/// <summary>
/// A finished study's task list (tasks.json in its run directory), written when the work queue closes the
/// study: the views of its tasks (state, attempts, scores, failure, configuration) as the queue last held
/// them. The control API and the dashboard read it for a finished study instead of asking the queue.
/// </summary>
public sealed record StudyTaskFile(string StudyId, IReadOnlyList<TaskView> Tasks)
{
    public const string FileName = "tasks.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
    };

    public static string PathIn(string dir) => Path.Combine(dir, FileName);

    /// <summary>Writes the file atomically (a reader sees the whole list or none).</summary>
    public void Write(string dir)
    {
        Directory.CreateDirectory(dir);
        var path = PathIn(dir);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));
    }

    /// <summary>The study's task list; null when the study has none (not closed yet).</summary>
    /// <exception cref="InvalidDataException">The file is damaged (the message names it, never its content).</exception>
    public static StudyTaskFile? Read(string dir)
    {
        var path = PathIn(dir);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<StudyTaskFile>(File.ReadAllText(path), Json) is { Tasks: not null } file
                ? file
                : throw new InvalidDataException($"{path}: not a task list");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid task list (line {e.LineNumber + 1})");
        }
    }
}
