using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nachos.Shared.Files;

/// <summary>
/// The JSON of the files people read in a run directory (report.json, metrics.json): snake_case, indented,
/// NaN and infinities written by name, hyperparameters that are numbers as numbers. The journal's and the wire's JSON is NachosSerializer's, the API's is
/// ApiJson's; splits.json keeps its own, since its bytes are the plan's hash.
/// </summary>
public static class FileJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new HyperparametersJson() },
    };

    /// <summary>Reads a file written with <see cref="Options"/>; null when its JSON is the literal null.</summary>
    /// <param name="what">What the file should be, for the error ("a proxy check").</param>
    /// <exception cref="InvalidDataException">Malformed JSON: the message names the file and the JSON path, never the content.</exception>
    public static T? Read<T>(string path, string what) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not {what} ({e.Path ?? "top level"} is malformed)");
        }
    }
}
