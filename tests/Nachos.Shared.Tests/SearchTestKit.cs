using System.Globalization;
using Nachos.Shared.Search;
using Nachos.Shared.Spec;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

/// <summary>Builders and checks shared by the sampler tests.</summary>
internal static class SearchTestKit
{
    private static readonly Dictionary<string, string> NoCondition = new();

    public static ParamSpec Numeric(string name, ParamKind kind, double low, double high, (string Parent, string Value)? when = null) =>
        new(name, kind, low, high, [], When(when));

    public static ParamSpec Categorical(string name, string[] values, (string Parent, string Value)? when = null) =>
        new(name, ParamKind.Categorical, 0, 0, values, When(when));

    private static IReadOnlyDictionary<string, string> When((string Parent, string Value)? when) =>
        when is { } w ? new Dictionary<string, string> { [w.Parent] = w.Value } : NoCondition;

    public static SearchSpec NewSearch(SamplerKind sampler, IReadOnlyList<ParamSpec> space, string metric = "auroc", int gridPoints = 3) =>
        new(sampler, Trials: 60, Parallelism: 4, metric, space, gridPoints);

    /// <summary>Every kind of parameter, with two conditional ones (one of them listed before its parent).</summary>
    public static IReadOnlyList<ParamSpec> MixedSpace() =>
    [
        Numeric("weight_decay", ParamKind.Uniform, 1e-6, 1e-3, ("optimizer", "adamw")),
        Numeric("learning_rate", ParamKind.LogUniform, 1e-5, 1e-1),
        Numeric("momentum", ParamKind.Uniform, 0.5, 0.99),
        Numeric("batch_size", ParamKind.PowerOfTwo, 3, 100),
        Numeric("width", ParamKind.Int, 1.5, 6.2),
        Categorical("optimizer", ["sgd", "adam", "adamw"]),
        Categorical("nesterov", ["true", "false"], ("optimizer", "sgd")),
    ];

    public static double Number(Hyperparameters h, string name) => double.Parse(h.Values[name], CultureInfo.InvariantCulture);

    public static bool Same(Hyperparameters a, Hyperparameters b) => a.Values.SequenceEqual(b.Values);

    public static string Key(Hyperparameters h) => string.Join("\u001f", h.Values.Select(kv => kv.Key + "=" + kv.Value));

    /// <summary>
    /// Asserts that <paramref name="config"/> holds exactly the parameters whose conditions hold, each in range and
    /// written as its type requires (doubles as Hyperparameters.With writes them, integers as plain invariant integers).
    /// </summary>
    public static void AssertValid(IReadOnlyList<ParamSpec> space, Hyperparameters config)
    {
        foreach (var p in space)
        {
            var expectedPresent = p.When.All(c => config.Values.TryGetValue(c.Key, out var v) && v == c.Value);
            Assert.True(expectedPresent == config.Values.ContainsKey(p.Name), $"{p.Name} present: {!expectedPresent}, expected {expectedPresent} in {config}");
            if (!expectedPresent) continue;
            var s = config.Values[p.Name];
            switch (p.Kind)
            {
                case ParamKind.Uniform or ParamKind.LogUniform:
                    var d = double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
                    Assert.InRange(d, p.Low, p.High);
                    Assert.Equal(Hyperparameters.Empty.With("x", d).Values["x"], s);
                    break;
                case ParamKind.Int or ParamKind.PowerOfTwo:
                    Assert.True(long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n), $"{p.Name}={s} is not an integer");
                    Assert.InRange((double)n, p.Low, p.High);
                    if (p.Kind == ParamKind.PowerOfTwo) Assert.True(n > 0 && (n & (n - 1)) == 0, $"{p.Name}={s} is not a power of two");
                    break;
                default:
                    Assert.Contains(s, p.Values);
                    break;
            }
        }
        Assert.All(config.Values.Keys, k => Assert.Contains(space, p => p.Name == k));
    }

    /// <summary>
    /// Runs <paramref name="trials"/> trials one after another, each seeing every earlier outcome.
    /// <paramref name="objective"/> returns the score (null = failed).
    /// </summary>
    public static List<TrialOutcome> RunSequential(ISampler sampler, int trials, Func<Hyperparameters, double?> objective)
    {
        var outcomes = new List<TrialOutcome>();
        for (var n = 0; n < trials; n++)
        {
            var config = sampler.Suggest(n, outcomes.Select(o => o.Config).ToList(), outcomes);
            outcomes.Add(new TrialOutcome(n, config, objective(config)));
        }
        return outcomes;
    }

    /// <summary>Configurations suggested independently (no earlier trials, nothing visible) for trials 0..n-1.</summary>
    public static List<Hyperparameters> Independent(ISampler sampler, int n) =>
        Enumerable.Range(0, n).Select(i => sampler.Suggest(i, [], [])).ToList();
}
