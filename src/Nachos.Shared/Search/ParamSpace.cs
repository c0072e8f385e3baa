using System.Globalization;
using System.Numerics;
using Nachos.Shared.Spec;
using Nachos.Shared.Tasks;
using Nachos.Shared.Seeding;

namespace Nachos.Shared.Search;

/// <summary>
/// A search space ready for sampling: the parameters in spec order, except that a conditional parameter is moved
/// after the parameters its <c>when</c> names (so parents are always assigned before their children).
/// </summary>
internal sealed class ParamSpace
{
    public ParamSpace(IReadOnlyList<ParamSpec> specs) => Params = Order(specs).Select(s => new Param(s)).ToList();

    public IReadOnlyList<Param> Params { get; }

    /// <summary>One random configuration: every active parameter drawn from its prior, in order.</summary>
    public Hyperparameters Draw(ref SplitMix rng)
    {
        var config = Hyperparameters.Empty;
        foreach (var p in Params)
            if (p.IsActive(config)) config = config.With(p.Name, p.Draw(ref rng));
        return config;
    }

    private static List<ParamSpec> Order(IReadOnlyList<ParamSpec> specs)
    {
        var names = new HashSet<string>();
        foreach (var s in specs)
        {
            if (!names.Add(s.Name)) throw new ArgumentException($"search space: '{s.Name}' appears twice");
            foreach (var parent in s.When.Keys)
                if (!specs.Any(q => q.Name == parent && q.Kind == ParamKind.Categorical))
                    throw new ArgumentException($"search space: '{s.Name}' depends on '{parent}', which is not a categorical parameter of the space");
        }
        var placed = new HashSet<string>();
        var ordered = new List<ParamSpec>();
        var remaining = specs.ToList();
        while (remaining.Count > 0)
        {
            var next = remaining.FirstOrDefault(s => s.When.Keys.All(placed.Contains))
                ?? throw new ArgumentException($"search space: the conditions of {string.Join(", ", remaining.Select(s => s.Name))} form a cycle");
            remaining.Remove(next);
            placed.Add(next.Name);
            ordered.Add(next);
        }
        return ordered;
    }
}

/// <summary>
/// One parameter's domain. Numeric parameters also have an internal, continuous coordinate in which samplers work:
/// the value itself (uniform, int), its natural log (log-uniform) or its base-2 exponent (power-of-two);
/// [<see cref="Low"/>, <see cref="High"/>] is that coordinate's range (ints and exponents widened by ½ on each side,
/// so rounding gives every integer the same share).
/// </summary>
internal sealed class Param
{
    /// <summary>Largest int domain enumerated as a finite set (for exhaustive duplicate rejection).</summary>
    private const long MaxEnumerable = 100_000;

    private readonly long _intLow, _intHigh;

    public Param(ParamSpec spec)
    {
        Spec = spec;
        switch (spec.Kind)
        {
            case ParamKind.Categorical:
                Values = spec.Values.Distinct().ToList();
                if (Values.Count == 0) throw new ArgumentException($"search space: '{spec.Name}' has no values");
                break;
            case ParamKind.Uniform:
                CheckRange(spec, positive: false);
                (Low, High) = (spec.Low, spec.High);
                break;
            case ParamKind.LogUniform:
                CheckRange(spec, positive: true);
                (Low, High) = (Math.Log(spec.Low), Math.Log(spec.High));
                break;
            case ParamKind.Int:
                CheckRange(spec, positive: false);
                (_intLow, _intHigh) = ((long)Math.Ceiling(spec.Low), (long)Math.Floor(spec.High));
                if (_intLow > _intHigh) throw new ArgumentException($"search space: '{spec.Name}' [{spec.Low}, {spec.High}] holds no integer");
                (Low, High) = (_intLow - 0.5, _intHigh + 0.5);
                break;
            case ParamKind.PowerOfTwo:
                CheckRange(spec, positive: true);
                (_intLow, _intHigh) = (0, 62);
                while (_intLow <= 62 && Math.Pow(2, _intLow) < spec.Low) _intLow++;
                while (_intHigh >= 0 && Math.Pow(2, _intHigh) > spec.High) _intHigh--;
                if (_intLow > _intHigh) throw new ArgumentException($"search space: '{spec.Name}' [{spec.Low}, {spec.High}] holds no power of two ≥ 1");
                (Low, High) = (_intLow - 0.5, _intHigh + 0.5);
                break;
            default:
                throw new ArgumentException($"search space: '{spec.Name}' has unknown type {spec.Kind}");
        }
    }

    public ParamSpec Spec { get; }
    public string Name => Spec.Name;
    public ParamKind Kind => Spec.Kind;
    public bool IsCategorical => Kind == ParamKind.Categorical;

    /// <summary>Categorical values, duplicates removed, in spec order.</summary>
    public IReadOnlyList<string> Values { get; } = [];

    /// <summary>Range of the internal coordinate (numeric parameters).</summary>
    public double Low { get; }
    public double High { get; }

    /// <summary>Present in a configuration iff every <c>when</c> condition holds among the parameters assigned so far.</summary>
    public bool IsActive(Hyperparameters partial) =>
        Spec.When.All(c => partial.Values.TryGetValue(c.Key, out var v) && v == c.Value);

    /// <summary>Uniform over the categorical values, or uniform in the internal coordinate.</summary>
    public string Draw(ref SplitMix rng) => IsCategorical
        ? Values[Pick(ref rng, Values.Count)]
        : FromInternal(Low + rng.NextDouble() * (High - Low));

    /// <summary>The nearest internal coordinate that encodes a valid value (integers rounded, everything clamped).</summary>
    public double Snap(double x) => Kind switch
    {
        ParamKind.Int or ParamKind.PowerOfTwo => Math.Clamp(Math.Round(x, MidpointRounding.AwayFromZero), _intLow, _intHigh),
        _ => Math.Clamp(x, Low, High),
    };

    /// <summary>The value string for an internal coordinate.</summary>
    public string FromInternal(double x) => Kind switch
    {
        ParamKind.Uniform => Format(Math.Clamp(x, Spec.Low, Spec.High)),
        ParamKind.LogUniform => Format(Math.Clamp(Math.Exp(x), Spec.Low, Spec.High)),
        ParamKind.Int => ((long)Snap(x)).ToString(CultureInfo.InvariantCulture),
        ParamKind.PowerOfTwo => (1L << (int)Snap(x)).ToString(CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException($"'{Name}' is categorical"),
    };

    /// <summary>The internal coordinate of a value string (clamped into range); null if it is not a number.</summary>
    public double? ToInternal(string value)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v)) return null;
        return Kind switch
        {
            ParamKind.LogUniform => Math.Log(Math.Clamp(v, Spec.Low, Spec.High)),
            ParamKind.PowerOfTwo => Snap(Math.Log2(Math.Max(v, 1))),
            ParamKind.Int => Snap(v),
            _ => Math.Clamp(v, Low, High),
        };
    }

    /// <summary>
    /// Grid levels: categorical values as given; power-of-two: every power in range; uniform: <paramref name="points"/>
    /// evenly spaced values from low to high; log-uniform: the same in log space; int: evenly spaced, rounded, deduplicated.
    /// </summary>
    public IReadOnlyList<string> GridLevels(int points)
    {
        if (Kind is ParamKind.Categorical or ParamKind.PowerOfTwo) return AllLevels()!;
        if (points < 2) throw new ArgumentOutOfRangeException(nameof(points), points, "grid_points must be at least 2");
        var (from, to) = Kind == ParamKind.Int ? (_intLow, _intHigh) : (Low, High);
        return Enumerable.Range(0, points)
            .Select(i => Kind != ParamKind.Int && (i == 0 || i == points - 1)
                ? Format(i == 0 ? Spec.Low : Spec.High) // the range ends exactly, whatever exp(log(x)) rounds to
                : FromInternal(from + i * (to - from) / (points - 1)))
            .Distinct()
            .ToList();
    }

    /// <summary>Every value, for finite domains (categorical, power-of-two, small int ranges); null otherwise.</summary>
    public IReadOnlyList<string>? AllLevels() => Kind switch
    {
        ParamKind.Categorical => Values,
        ParamKind.Int or ParamKind.PowerOfTwo when _intHigh - _intLow < MaxEnumerable =>
            Enumerable.Range(0, (int)(_intHigh - _intLow + 1)).Select(i => FromInternal(_intLow + i)).ToList(),
        _ => null,
    };

    /// <summary>Uniform integer in [0, n).</summary>
    public static int Pick(ref SplitMix rng, int n) => Math.Min((int)(rng.NextDouble() * n), n - 1);

    /// <summary>Doubles are written as <see cref="Hyperparameters.With(string, double)"/> writes them.</summary>
    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static void CheckRange(ParamSpec s, bool positive)
    {
        if (!double.IsFinite(s.Low) || !double.IsFinite(s.High) || s.Low >= s.High || positive && s.Low <= 0)
            throw new ArgumentException($"search space: '{s.Name}' needs finite {(positive ? "0 < " : "")}low < high (got [{s.Low}, {s.High}])");
    }
}

/// <summary>
/// The configurations of a space as a tree-shaped cartesian product, in a fixed order: parameters in
/// <see cref="ParamSpace"/> order, the first varying slowest, each over its levels in the order given;
/// a conditional parameter takes part only in the branches where its condition holds (elsewhere it is absent
/// and adds no points). Indexable without materialising the product.
/// </summary>
internal sealed class ConfigProduct
{
    private readonly IReadOnlyList<Param> _params;
    private readonly IReadOnlyList<IReadOnlyList<string>> _levels;
    private readonly bool[] _isParent;

    public ConfigProduct(ParamSpace space, Func<Param, IReadOnlyList<string>> levels)
    {
        _params = space.Params;
        _levels = _params.Select(levels).ToList();
        _isParent = _params.Select(p => _params.Any(q => q.Spec.When.ContainsKey(p.Name))).ToArray();
        Count = CountFrom(0, Hyperparameters.Empty);
    }

    public BigInteger Count { get; }

    /// <summary>The configuration at <paramref name="index"/> (0 ≤ index &lt; Count).</summary>
    public Hyperparameters At(BigInteger index)
    {
        if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index));
        var config = Hyperparameters.Empty;
        for (var i = 0; i < _params.Count; i++)
        {
            var p = _params[i];
            if (!p.IsActive(config)) continue;
            var levels = _levels[i];
            string? chosen = null;
            if (!_isParent[i])
            {
                // Later parameters do not depend on this value: every level has the same number of completions.
                var sub = CountFrom(i + 1, config.With(p.Name, levels[0]));
                chosen = levels[(int)(index / sub)];
                index %= sub;
            }
            else
            {
                foreach (var v in levels)
                {
                    var sub = CountFrom(i + 1, config.With(p.Name, v));
                    if (index < sub)
                    {
                        chosen = v;
                        break;
                    }
                    index -= sub;
                }
            }
            config = config.With(p.Name, chosen!);
        }
        return config;
    }

    private BigInteger CountFrom(int i, Hyperparameters partial)
    {
        if (i == _params.Count) return 1;
        var p = _params[i];
        if (!p.IsActive(partial)) return CountFrom(i + 1, partial);
        if (!_isParent[i]) return _levels[i].Count * CountFrom(i + 1, partial.With(p.Name, _levels[i][0]));
        BigInteger total = 0;
        foreach (var v in _levels[i]) total += CountFrom(i + 1, partial.With(p.Name, v));
        return total;
    }
}

/// <summary>Configurations are equal when they hold the same names with the same value strings.</summary>
internal sealed class ConfigComparer : IEqualityComparer<Hyperparameters>
{
    public static readonly ConfigComparer Instance = new();

    public bool Equals(Hyperparameters? a, Hyperparameters? b) =>
        ReferenceEquals(a, b) || a is not null && b is not null && a.Values.Count == b.Values.Count
        && a.Values.All(kv => b.Values.TryGetValue(kv.Key, out var v) && v == kv.Value);

    public int GetHashCode(Hyperparameters h)
    {
        var hash = new HashCode();
        foreach (var (k, v) in h.Values)
        {
            hash.Add(k);
            hash.Add(v);
        }
        return hash.ToHashCode();
    }
}
