using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nachos.Shared.TaskProcess;

/// <summary>A child-process file (task.json, result.json, failure.json) that is not of the format this nachos reads, or not JSON at all.</summary>
public sealed class ChildFileException(string message) : Exception(message);

/// <summary>
/// The JSON of the files between a node and its <c>nachos task</c> child (docs/operations.md, "The task process"):
/// fixed snake_case names on each type, a format version in each file, its own options, so neither the wire's
/// messages nor the API's models can change these files by being renamed.
/// </summary>
public static class ChildFiles
{
    /// <summary>The format of task.json, result.json and failure.json this nachos writes and reads.</summary>
    public const int Format = 1;

    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>Reads <paramref name="file"/> as a <paramref name="what"/>: its format first, then its shape.</summary>
    /// <exception cref="ChildFileException">Not JSON, no or another format, or fields missing or of the wrong type; names the file, never its content.</exception>
    internal static T Read<T>(string file, string what)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllBytes(file)); }
        catch (JsonException e) { throw new ChildFileException($"{file}: not a valid {what}: malformed JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ChildFileException($"{file}: not a valid {what}: expected a JSON object");
            if (!doc.RootElement.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.Number || !format.TryGetInt32(out var version))
                throw new ChildFileException($"{file}: not a valid {what}: no integer 'format'");
            if (version != Format)
                throw new ChildFileException($"{file}: {what} format {version}, this nachos reads format {Format} (written by another nachos version)");
            try
            {
                return doc.RootElement.Deserialize<T>(Options) ?? throw new ChildFileException($"{file}: not a valid {what}");
            }
            catch (JsonException e)
            {
                throw new ChildFileException($"{file}: not a valid {what}: {(e.Path is null or "$" ? "a required field is missing or null" : $"bad value at {e.Path}")}");
            }
        }
    }

    internal static void Write<T>(string file, T value) => Files.AtomicFile.WriteAllText(file, JsonSerializer.Serialize(value, Options));
}
