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
}
