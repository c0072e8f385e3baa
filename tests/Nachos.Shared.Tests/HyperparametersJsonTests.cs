using System.Collections.Immutable;
using System.Text.Json;
using Nachos.Shared.Files;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

public sealed class HyperparametersJsonTests
{
    private static Hyperparameters Of(params (string Name, string Value)[] values) =>
        new(values.ToImmutableSortedDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal));

    [Fact]
    public void Numbers_are_written_as_json_numbers_with_their_own_digits_and_the_rest_as_strings()
    {
        var config = Of(("learning_rate", "4.2994130337609976E-05"), ("batch_size", "32"), ("momentum", "-0.5"), ("optimizer", "sgd"),
            ("nesterov", "true"), ("width", "NaN"), ("depth", "1."), ("weight_decay", "01"));
        var json = JsonSerializer.Serialize(config, FileJson.Options);
        using var doc = JsonDocument.Parse(json);
        var values = doc.RootElement.GetProperty("values");
        Assert.Equal(JsonValueKind.Number, values.GetProperty("learning_rate").ValueKind);
        Assert.Equal("4.2994130337609976E-05", values.GetProperty("learning_rate").GetRawText());
        Assert.Equal(32, values.GetProperty("batch_size").GetInt32());
        Assert.Equal(-0.5, values.GetProperty("momentum").GetDouble());
        // Not JSON numbers as written: kept as text, so nothing is reformatted.
        foreach (var name in new[] { "optimizer", "nesterov", "width", "depth", "weight_decay" })
            Assert.Equal(JsonValueKind.String, values.GetProperty(name).ValueKind);
        Assert.Equal(config, JsonSerializer.Deserialize<Hyperparameters>(json, FileJson.Options));
    }

    [Fact]
    public void Files_written_before_read_the_same()
    {
        const string old = """{"values": {"learning_rate": "0.0019131920791092935", "optimizer": "sgd"}}""";
        Assert.Equal(Of(("learning_rate", "0.0019131920791092935"), ("optimizer", "sgd")), JsonSerializer.Deserialize<Hyperparameters>(old, FileJson.Options));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Hyperparameters>("""{"values": {"width": [1]}}""", FileJson.Options));
    }
}
