using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nachos.Shared.Splits;

/// <summary>One train/validation split of sample ids.</summary>
public sealed record Split(IReadOnlyList<string> Train, IReadOnlyList<string> Validation);

/// <summary>
/// Outer fold k: its test set T_k, its outer-train set D \ T_k and the inner splits of D \ T_k. <c>Proxy</c>, with
/// <c>search.proxy.data</c>, is the part of D \ T_k the inner search uses (absent from splits.json otherwise).
/// </summary>
public sealed record OuterFold(int Index, string Name, IReadOnlyList<string> Test, IReadOnlyList<string> Train, IReadOnlyList<Split> Inner,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Proxy = null)
{
    /// <summary>Inner split <paramref name="j"/> as the search trains on it: restricted to the proxy data when there is some.</summary>
    public Split SearchSplit(int j)
    {
        var split = Inner[j];
        if (Proxy is null) return split;
        var keep = Proxy.ToHashSet();
        return new Split(split.Train.Where(keep.Contains).ToList(), split.Validation.Where(keep.Contains).ToList());
    }
}

/// <summary>
/// A complete outer × inner plan. <see cref="Hash"/> is the SHA-256 of its canonical JSON.
/// <see cref="Deploy"/> (a spec with <c>deploy:</c>) is DACHOS's fold: train on all data, inner splits of all data, no test
/// set. It is not an outer fold of the estimate; its entities and tasks have the index <see cref="DeployIndex"/>.
/// </summary>
public sealed record SplitPlan(string Scheme, int Seed, IReadOnlyList<OuterFold> Outer,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] OuterFold? Deploy = null)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    [JsonIgnore]
    public string Hash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this, Json))));

    /// <summary>The index of the deploy fold: after the outer folds.</summary>
    [JsonIgnore]
    public int DeployIndex => Outer.Count;

    /// <summary>The inner splits of each fold entity: the outer folds, then the deploy fold if there is one.</summary>
    [JsonIgnore]
    public IReadOnlyList<int> InnerSplitsPerFold => Outer.Append(Deploy).OfType<OuterFold>().Select(f => f.Inner.Count).ToList();

    /// <summary>Outer fold <paramref name="k"/>, or the deploy fold at <see cref="DeployIndex"/>.</summary>
    public OuterFold Fold(int k) =>
        k >= 0 && k < Outer.Count ? Outer[k]
        : k == DeployIndex && Deploy is { } deploy ? deploy
        : throw new ArgumentOutOfRangeException(nameof(k), k, $"the plan has {Outer.Count} outer folds{(Deploy is null ? "" : " and the deploy fold")}");

    /// <summary>Writes the plan with its hash; returns the hash.</summary>
    public string Write(string path)
    {
        var hash = Hash;
        object doc = Deploy is null
            ? new { hash, scheme = Scheme, seed = Seed, outer = Outer }
            : new { hash, scheme = Scheme, seed = Seed, outer = Outer, deploy = Deploy };
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
