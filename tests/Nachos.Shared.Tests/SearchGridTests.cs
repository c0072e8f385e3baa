using Nachos.Shared.Search;
using Nachos.Shared.Spec;
using Nachos.Shared.Tasks;
using static Nachos.Shared.Tests.SearchTestKit;

namespace Nachos.Shared.Tests;

public sealed class SearchGridTests
{
    private static readonly ParamSpec[] Space =
    [
        Numeric("learning_rate", ParamKind.LogUniform, 1e-4, 1e-2),
        Categorical("optimizer", ["sgd", "adam"]),
        Numeric("momentum", ParamKind.Uniform, 0.8, 0.9, ("optimizer", "sgd")),
        Numeric("batch_size", ParamKind.PowerOfTwo, 10, 64),
    ];

    /// <summary>The documented order: parameters in spec order, the first varying slowest; momentum only under sgd.</summary>
    private static List<Dictionary<string, double?>> ExpectedPoints()
    {
        var points = new List<Dictionary<string, double?>>();
        foreach (var lr in new[] { 1e-4, 1e-3, 1e-2 })
            foreach (var optimizer in new[] { 0.0, 1.0 })
                foreach (var momentum in optimizer == 0 ? new double?[] { 0.8, 0.85, 0.9 } : [null])
                    foreach (var batch in new[] { 16.0, 32.0, 64.0 })
                        points.Add(new() { ["learning_rate"] = lr, ["optimizer"] = optimizer, ["momentum"] = momentum, ["batch_size"] = batch });
        return points;
    }

    private static void AssertPoint(Dictionary<string, double?> expected, Hyperparameters actual, int trial)
    {
        Assert.True(Math.Abs(Number(actual, "learning_rate") / expected["learning_rate"]!.Value - 1) < 1e-9, $"trial {trial}: {actual}");
        Assert.Equal(expected["optimizer"] == 0 ? "sgd" : "adam", actual.Values["optimizer"]);
        Assert.Equal(expected["batch_size"]!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), actual.Values["batch_size"]);
        if (expected["momentum"] is { } m) Assert.Equal(m, Number(actual, "momentum"), 1e-12);
        else Assert.False(actual.Values.ContainsKey("momentum"), $"trial {trial}: {actual}");
    }

    [Fact]
    public void Covers_the_cartesian_product_once_in_the_documented_order()
    {
        var expected = ExpectedPoints();
        Assert.Equal(36, expected.Count); // 3 learning rates x (3 momenta under sgd + 1 under adam) x 3 batch sizes
        var grid = Samplers.Create(NewSearch(SamplerKind.Grid, Space, gridPoints: 3), seed: 1);
        var actual = RunSequential(grid, expected.Count, _ => 0).Select(o => o.Config).ToList();
        for (var n = 0; n < expected.Count; n++) AssertPoint(expected[n], actual[n], n);
        Assert.Equal(expected.Count, actual.Select(Key).Distinct().Count());
        Assert.All(actual, c => AssertValid(Space, c));
    }

    [Fact]
    public void Trials_beyond_the_grid_wrap_around()
    {
        var grid = Samplers.Create(NewSearch(SamplerKind.Grid, Space, gridPoints: 3), seed: 1);
        for (var n = 0; n < 36; n++)
        {
            var first = grid.Suggest(n, [], []);
            Assert.True(Same(first, grid.Suggest(n + 36, [], [])));
            Assert.True(Same(first, grid.Suggest(n + 3 * 36, [], [])));
        }
        Assert.False(Same(grid.Suggest(0, [], []), grid.Suggest(35, [], [])));
    }

    [Fact]
    public void The_order_does_not_depend_on_the_seed_or_on_results()
    {
        var a = Samplers.Create(NewSearch(SamplerKind.Grid, Space), seed: 1);
        var b = Samplers.Create(NewSearch(SamplerKind.Grid, Space), seed: 2);
        var visible = Independent(a, 10).Select((c, i) => new TrialOutcome(i, c, i)).ToList();
        for (var n = 0; n < 40; n++) Assert.True(Same(a.Suggest(n, [], []), b.Suggest(n, [], visible)));
    }

    [Fact]
    public void Numeric_levels_are_evenly_spaced_and_int_levels_deduplicated()
    {
        ParamSpec[] space =
        [
            Numeric("momentum", ParamKind.Uniform, 0.5, 0.8),
            Numeric("width", ParamKind.Int, 1, 3),
        ];
        var grid = Samplers.Create(NewSearch(SamplerKind.Grid, space, gridPoints: 4), seed: 1);
        // width: 1, 1.67, 2.33, 3 rounded -> 1, 2, 2, 3 -> {1, 2, 3}; so 4 x 3 = 12 points, then wrap.
        var points = Enumerable.Range(0, 12).Select(n => grid.Suggest(n, [], [])).ToList();
        Assert.Equal(["1", "2", "3"], points.Take(3).Select(c => c.Values["width"]));
        var momenta = points.Where((_, i) => i % 3 == 0).Select(c => Number(c, "momentum")).ToList();
        Assert.Equal(4, momenta.Count);
        for (var i = 0; i < 4; i++) Assert.Equal(0.5 + i * 0.1, momenta[i], 1e-12);
        Assert.True(Same(points[0], grid.Suggest(12, [], [])));
    }

    [Fact]
    public void Log_uniform_levels_are_evenly_spaced_in_log_space()
    {
        var space = new[] { Numeric("learning_rate", ParamKind.LogUniform, 1e-6, 1e-1) };
        var grid = Samplers.Create(NewSearch(SamplerKind.Grid, space, gridPoints: 6), seed: 1);
        var lrs = Enumerable.Range(0, 6).Select(n => Number(grid.Suggest(n, [], []), "learning_rate")).ToList();
        for (var i = 0; i < 6; i++) Assert.Equal(-6 + i, Math.Log10(lrs[i]), 1e-9);
        Assert.Equal(1e-6, lrs[0]);
        Assert.Equal(1e-1, lrs[5]);
    }
}
