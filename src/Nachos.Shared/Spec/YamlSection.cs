using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Nachos.Shared.Spec;

/// <summary>
/// Typed, validating reads from one YAML mapping. Every read records the key as known, so
/// <see cref="Finish"/> can report unknown keys; every problem is recorded with its key path and line.
/// </summary>
internal sealed class YamlSection
{
    private readonly YamlMappingNode? _node;
    private readonly List<SpecError> _errors;
    private readonly HashSet<string> _known = [];

    public YamlSection(YamlMappingNode? node, string path, List<SpecError> errors)
    {
        _node = node;
        Path = path;
        _errors = errors;
    }

    public string Path { get; }

    /// <summary>Problems recorded so far in the whole spec.</summary>
    public int ErrorCount => _errors.Count;
    public int Line => _node is null ? 0 : (int)_node.Start.Line;
    public bool Exists => _node is not null;
    public int Count => _node?.Children.Count ?? 0;

    public string KeyPath(string key) => key.Length == 0 ? Path : Path.Length == 0 ? key : $"{Path}.{key}";

    public void Error(string key, string message) => _errors.Add(new SpecError(KeyPath(key), LineOf(key), message));

    /// <summary>The line of the key itself (not of its value, which may start on the next line).</summary>
    public int LineOf(string key)
    {
        if (_node is not null)
            foreach (var (k, _) in _node.Children)
                if (k is YamlScalarNode s && s.Value == key) return (int)k.Start.Line;
        return Line;
    }

    public bool Has(string key)
    {
        _known.Add(key);
        return Find(key) is not null;
    }

    /// <summary>The value of <paramref name="key"/> as it is (null when absent or null), for a key that takes several shapes.</summary>
    public YamlNode? Node(string key)
    {
        _known.Add(key);
        return Find(key) is { } node && !(node is YamlScalarNode s && IsNull(s)) ? node : null;
    }

    private YamlNode? Find(string key)
    {
        if (_node is null) return null;
        foreach (var (k, v) in _node.Children)
            if (k is YamlScalarNode s && s.Value == key) return v;
        return null;
    }

    private YamlScalarNode? Scalar(string key)
    {
        _known.Add(key);
        var node = Find(key);
        if (node is null) return null;
        if (node is YamlScalarNode s && !IsNull(s)) return s;
        if (node is YamlScalarNode) return null;
        Error(key, "expected a single value");
        return null;
    }

    private static bool IsNull(YamlScalarNode s) =>
        s.Style == YamlDotNet.Core.ScalarStyle.Plain && (s.Value is null or "" or "~" or "null");

    public string? String(string key, string? fallback = null) => Scalar(key)?.Value ?? fallback;

    public string RequiredString(string key)
    {
        var v = String(key);
        if (v is null) Error(key, "is required");
        return v ?? "";
    }

    public T Choice<T>(string key, T fallback, IReadOnlyDictionary<string, T> names)
    {
        var s = Scalar(key);
        if (s is null) return fallback;
        if (names.TryGetValue(s.Value!, out var v)) return v;
        Error(key, $"unknown value '{s.Value}'; expected one of: {string.Join(", ", names.Keys)}");
        return fallback;
    }

    public int Int(string key, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var s = Scalar(key);
        if (s is null) return fallback;
        if (!int.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
        {
            Error(key, $"expected an integer, got '{s.Value}'");
            return fallback;
        }
        if (v < min || v > max)
        {
            Error(key, $"must be {Range(min, max)}, got {v}");
            return fallback;
        }
        return v;
    }

    public double Double(string key, double fallback, double min = double.NegativeInfinity, double max = double.PositiveInfinity,
        bool exclusiveMin = false, bool exclusiveMax = false)
    {
        var s = Scalar(key);
        if (s is null) return fallback;
        if (!double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
        {
            Error(key, $"expected a number, got '{s.Value}'");
            return fallback;
        }
        if (v < min || v > max || (exclusiveMin && v == min) || (exclusiveMax && v == max))
        {
            var lower = $"{(exclusiveMin ? ">" : ">=")} {min.ToString(CultureInfo.InvariantCulture)}";
            var upper = double.IsPositiveInfinity(max) ? "" : $" and {(exclusiveMax ? "<" : "<=")} {max.ToString(CultureInfo.InvariantCulture)}";
            Error(key, $"must be {lower}{upper}, got {s.Value}");
            return fallback;
        }
        return v;
    }

    public bool Bool(string key, bool fallback)
    {
        var s = Scalar(key);
        if (s is null) return fallback;
        switch (s.Value)
        {
            case "true" or "True" or "yes" or "on": return true;
            case "false" or "False" or "no" or "off": return false;
            default:
                Error(key, $"expected true or false, got '{s.Value}'");
                return fallback;
        }
    }

    /// <summary>A list of strings; a single scalar counts as a one-element list.</summary>
    public IReadOnlyList<string>? StringList(string key)
    {
        _known.Add(key);
        var node = Find(key);
        switch (node)
        {
            case null: return null;
            case YamlScalarNode s when IsNull(s): return null;
            case YamlScalarNode s: return [s.Value!];
            case YamlSequenceNode seq:
                var list = new List<string>();
                foreach (var item in seq.Children)
                {
                    if (item is YamlScalarNode si) list.Add(si.Value ?? "");
                    else _errors.Add(new SpecError(KeyPath(key), (int)item.Start.Line, "expected a list of values"));
                }
                return list;
            default:
                Error(key, "expected a value or a list of values");
                return null;
        }
    }

    /// <summary>A list of finite numbers (a single number counts as a one-element list); an entry that is not one is an error.</summary>
    public IReadOnlyList<double>? DoubleList(string key)
    {
        var values = StringList(key);
        if (values is null) return null;
        var numbers = new List<double>();
        foreach (var v in values)
        {
            if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) numbers.Add(d);
            else
            {
                Error(key, $"expected numbers, got '{v}'");
                return null;
            }
        }
        return numbers;
    }

    /// <summary>A nested mapping; absent gives an empty section (defaults apply).</summary>
    public YamlSection Child(string key)
    {
        _known.Add(key);
        var node = Find(key);
        if (node is YamlMappingNode m) return new YamlSection(m, KeyPath(key), _errors);
        if (node is not null && !(node is YamlScalarNode s && IsNull(s))) Error(key, "expected a mapping of keys to values");
        return new YamlSection(null, KeyPath(key), _errors);
    }

    /// <summary>The keys of this mapping, in file order, each with its child section (for open-ended maps).</summary>
    public IEnumerable<(string Key, YamlNode Node)> Entries()
    {
        if (_node is null) yield break;
        foreach (var (k, v) in _node.Children)
        {
            if (k is not YamlScalarNode { Value: { } key })
            {
                _errors.Add(new SpecError(Path, (int)k.Start.Line, "keys must be plain names"));
                continue;
            }
            _known.Add(key);
            yield return (key, v);
        }
    }

    public YamlSection Sub(string key, YamlNode node)
    {
        if (node is YamlMappingNode m) return new YamlSection(m, KeyPath(key), _errors);
        Error(key, "expected a mapping of keys to values");
        return new YamlSection(null, KeyPath(key), _errors);
    }

    /// <summary>Reports every key of this mapping that no read asked for.</summary>
    public void Finish()
    {
        if (_node is null) return;
        foreach (var (k, _) in _node.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? "?";
            if (!_known.Contains(key))
                _errors.Add(new SpecError(KeyPath(key), (int)k.Start.Line, $"unknown key '{key}'" + Suggest(key)));
        }
    }

    private string Suggest(string key)
    {
        var best = _known.MinBy(k => Levenshtein(k, key));
        return best is not null && Levenshtein(best, key) <= 2 ? $" (did you mean '{best}'?)" : "";
    }

    private static int Levenshtein(string a, string b)
    {
        var d = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) d[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            var prev = d[0];
            d[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var tmp = d[j];
                d[j] = Math.Min(Math.Min(d[j] + 1, d[j - 1] + 1), prev + (a[i - 1] == b[j - 1] ? 0 : 1));
                prev = tmp;
            }
        }
        return d[b.Length];
    }

    private static string Range(int min, int max) =>
        max == int.MaxValue ? $">= {min}" : min == int.MinValue ? $"<= {max}" : $"between {min} and {max}";
}
