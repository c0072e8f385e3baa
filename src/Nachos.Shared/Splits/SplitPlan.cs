using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nachos.Shared.Splits;

/// <summary>One train/validation split of sample ids.</summary>
public sealed record Split(IReadOnlyList<string> Train, IReadOnlyList<string> Validation);

/// <summary>Outer fold k: its test set T_k, its outer-train set D \ T_k and the inner splits of D \ T_k.</summary>
public sealed record OuterFold(int Index, string Name, IReadOnlyList<string> Test, IReadOnlyList<string> Train, IReadOnlyList<Split> Inner);

/// <summary>A complete outer × inner plan. <see cref="Hash"/> is the SHA-256 of its canonical JSON.</summary>
public sealed record SplitPlan(string Scheme, int Seed, IReadOnlyList<OuterFold> Outer)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    [JsonIgnore]
    public string Hash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this, Json))));

    /// <summary>Writes the plan with its hash; returns the hash.</summary>
    public string Write(string path)
    {
        var hash = Hash;
        var doc = new { hash, scheme = Scheme, seed = Seed, outer = Outer };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(doc, Json));
        return hash;
    }

    public static SplitPlan Read(string path)
    {
        var plan = JsonSerializer.Deserialize<SplitPlan>(File.ReadAllText(path), Json)
                   ?? throw new InvalidDataException($"{path}: not a split plan");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var stored = doc.RootElement.TryGetProperty("hash", out var h) ? h.GetString() : throw new InvalidDataException($"{path}: no hash");
        if (stored != plan.Hash) throw new InvalidDataException($"{path}: hash mismatch (stored {stored}, content {plan.Hash}); the plan was edited");
        return plan;
    }
}

/// <summary>A split that cannot be made, or a plan that leaks.</summary>
public sealed class SplitException(string message) : Exception(message);
