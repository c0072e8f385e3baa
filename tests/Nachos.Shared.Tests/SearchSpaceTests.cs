using Nachos.Shared.Search;
using Nachos.Shared.Spec;
using static Nachos.Shared.Tests.SearchTestKit;

namespace Nachos.Shared.Tests;

/// <summary>Properties every sampler shares: values in range and well formatted, conditions respected.</summary>
public sealed class SearchSpaceTests
{
    public static TheoryData<SamplerKind> AllSamplers => new() { SamplerKind.Random, SamplerKind.Grid, SamplerKind.Tpe };

    [Theory]
    [MemberData(nameof(AllSamplers))]
    public void Every_value_is_in_range_with_its_type_and_conditionals_present_iff_their_condition_holds(SamplerKind kind)
    {
        var space = MixedSpace();
        var sampler = Samplers.Create(NewSearch(kind, space), seed: 11);
        // Some failures and a score that depends on several parameters, so TPE conditions on mixed outcomes.
        var outcomes = RunSequential(sampler, 150, c =>
            c.Values["width"] == "3" ? null : -Math.Abs(Math.Log10(Number(c, "learning_rate")) + 3) - (c.Values["optimizer"] == "adamw" ? 0 : 0.5));
        Assert.All(outcomes, o => AssertValid(space, o.Config));
        // Each condition branch was visited, so presence and absence were both checked.
        Assert.Contains(outcomes, o => o.Config.Values.ContainsKey("nesterov"));
        Assert.Contains(outcomes, o => !o.Config.Values.ContainsKey("nesterov"));
        Assert.Contains(outcomes, o => o.Config.Values.ContainsKey("weight_decay"));
        Assert.Contains(outcomes, o => !o.Config.Values.ContainsKey("weight_decay"));
    }

    [Theory]
    [MemberData(nameof(AllSamplers))]
    public void An_empty_space_gives_the_empty_configuration_every_trial(SamplerKind kind)
    {
        var sampler = Samplers.Create(NewSearch(kind, []), seed: 3);
        var outcomes = RunSequential(sampler, 15, _ => 1.0);
        Assert.All(outcomes, o => Assert.Empty(o.Config.Values));
    }

    [Theory]
    [MemberData(nameof(AllSamplers))]
    public void A_child_listed_before_its_parent_still_follows_the_parent(SamplerKind kind)
    {
        ParamSpec[] space =
        [
            Numeric("momentum", ParamKind.Uniform, 0.8, 0.95, ("nesterov", "true")),
            Categorical("nesterov", ["true", "false"], ("optimizer", "sgd")),
            Categorical("optimizer", ["adam", "sgd"]),
        ];
        var outcomes = RunSequential(Samplers.Create(NewSearch(kind, space), seed: 5), 40, c => c.Values.Count);
        Assert.All(outcomes, o => AssertValid(space, o.Config));
        Assert.Contains(outcomes, o => o.Config.Values.ContainsKey("momentum"));
    }

    [Fact]
    public void Log_uniform_spreads_evenly_in_log_space()
    {
        var space = new[] { Numeric("learning_rate", ParamKind.LogUniform, 1e-5, 1e-1) };
        var values = Independent(Samplers.Create(NewSearch(SamplerKind.Random, space), seed: 8), 2000).Select(c => Number(c, "learning_rate")).ToList();
        var belowGeometricMidpoint = values.Count(v => v < Math.Sqrt(1e-5 * 1e-1)) / (double)values.Count;
        Assert.InRange(belowGeometricMidpoint, 0.45, 0.55);
        // Each decade gets about a quarter (a uniform draw would put almost everything in the top decade).
        for (var decade = -5; decade < -1; decade++)
        {
            var share = values.Count(v => v >= Math.Pow(10, decade) && v < Math.Pow(10, decade + 1)) / (double)values.Count;
            Assert.InRange(share, 0.2, 0.3);
        }
    }

    [Fact]
    public void Power_of_two_draws_only_powers_of_two_in_range_and_all_of_them()
    {
        var space = new[] { Numeric("batch_size", ParamKind.PowerOfTwo, 3, 100) };
        var values = Independent(Samplers.Create(NewSearch(SamplerKind.Random, space), seed: 2), 500).Select(c => c.Values["batch_size"]).ToHashSet();
        Assert.Equal(new HashSet<string> { "4", "8", "16", "32", "64" }, values);
    }

    [Fact]
    public void Int_draws_every_integer_between_low_rounded_up_and_high_rounded_down()
    {
        var space = new[] { Numeric("width", ParamKind.Int, 1.5, 6.2) };
        var values = Independent(Samplers.Create(NewSearch(SamplerKind.Random, space), seed: 2), 500).Select(c => c.Values["width"]).ToList();
        Assert.Equal(new HashSet<string> { "2", "3", "4", "5", "6" }, values.ToHashSet());
        // Roughly uniform: each of the 5 values about 100 times.
        Assert.All(values.GroupBy(v => v), g => Assert.InRange(g.Count(), 60, 140));
    }

    [Fact]
    public void Categorical_values_are_kept_verbatim()
    {
        var space = new[] { Categorical("batch_size", ["16", "032", "1e2"]) };
        var values = Independent(Samplers.Create(NewSearch(SamplerKind.Random, space), seed: 4), 100).Select(c => c.Values["batch_size"]).ToHashSet();
        Assert.Equal(new HashSet<string> { "16", "032", "1e2" }, values);
    }

    public static TheoryData<string, ParamSpec[]> UnsampleableSpaces => new()
    {
        { "no integer", [Numeric("width", ParamKind.Int, 1.2, 1.8)] },
        { "no power of two", [Numeric("batch_size", ParamKind.PowerOfTwo, 5, 7)] },
        { "low >= high", [Numeric("momentum", ParamKind.Uniform, 0.9, 0.9)] },
        { "log of zero", [Numeric("learning_rate", ParamKind.LogUniform, 0, 1)] },
        { "no values", [Categorical("optimizer", [])] },
        { "unknown parent", [Numeric("momentum", ParamKind.Uniform, 0, 1, ("optimizer", "sgd"))] },
        { "cycle", [Categorical("optimizer", ["sgd"], ("loss", "bce")), Categorical("loss", ["bce"], ("optimizer", "sgd"))] },
    };

    [Theory]
    [MemberData(nameof(UnsampleableSpaces))]
    public void A_space_that_cannot_be_sampled_is_rejected_when_the_sampler_is_created(string why, ParamSpec[] space)
    {
        foreach (var kind in new[] { SamplerKind.Random, SamplerKind.Grid, SamplerKind.Tpe })
        {
            var e = Assert.ThrowsAny<ArgumentException>(() => Samplers.Create(NewSearch(kind, space), seed: 1));
            Assert.False(string.IsNullOrWhiteSpace(e.Message), why);
        }
    }
}
