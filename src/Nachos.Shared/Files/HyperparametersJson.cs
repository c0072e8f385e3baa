using System.Buffers;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Files;

/// <summary>
/// A configuration in the files people read (report.json): <c>{"values": {"learning_rate": 0.0019, "optimizer": "sgd"}}</c>,
/// a value that is a number written as a JSON number with the very digits the sampler chose, the others as strings.
/// Read back digit for digit (the raw number text), and from the older files that wrote every value as a string.
/// </summary>
public sealed partial class HyperparametersJson : JsonConverter<Hyperparameters>
{
    public override void Write(Utf8JsonWriter writer, Hyperparameters value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("values");
        foreach (var (name, v) in value.Values)
        {
            writer.WritePropertyName(name);
            if (JsonNumber().IsMatch(v)) writer.WriteRawValue(v, skipInputValidation: true);
            else writer.WriteStringValue(v);
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public override Hyperparameters Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("a configuration is an object");
        var values = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var property = reader.GetString();
            reader.Read();
            if (property != "values")
            {
                reader.Skip();
                continue;
            }
            if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("a configuration's values are an object");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString()!;
                reader.Read();
                values[name] = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString()!,
                    JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
                    _ => throw new JsonException($"hyperparameter '{name}' is neither a number nor a string"),
                };
            }
        }
        return new Hyperparameters(values.ToImmutable());
    }

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")]
    private static partial Regex JsonNumber();
}
