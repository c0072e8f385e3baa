using Nachos.Shared.Search;
using Nachos.Shared.Spec;
using Nachos.Shared.Tasks;
using static Nachos.Shared.Tests.SearchTestKit;

namespace Nachos.Shared.Tests;

public sealed class SearchRandomTests
{
    private static ISampler Random(IReadOnlyList<ParamSpec> space, int seed) => Samplers.Create(NewSearch(SamplerKind.Random, space), seed);

    [Fact]
    public void Same_inputs_give_the_same_configuration_from_separate_instances()
    {
        var space = MixedSpace();
        var earlier = Independent(Random(space, 99), 10);
        for (var n = 10; n < 60; n++)
        {
            var a = Random(space, 7).Suggest(n, earlier, []);
            var b = Random(space, 7).Suggest(n, earlier, []);
            Assert.True(Same(a, b), $"trial {n}: {a} vs {b}");
        }
    }

    [Fact]
    public void Different_trials_and_different_seeds_give_different_configurations()
    {
        var space = MixedSpace();
        var a = Independent(Random(space, 7), 200);
        Assert.Equal(200, a.Select(Key).Distinct().Count());
        var b = Independent(Random(space, 8), 200);
        Assert.Equal(400, a.Concat(b).Select(Key).Distinct().Count());
    }

    [Fact]
    public void Results_do_not_matter()
    {
        var space = MixedSpace();
        var visible = Independent(Random(space, 1), 20).Select((c, i) => new TrialOutcome(i, c, i % 3 == 0 ? null : i)).ToList();
        for (var n = 0; n < 30; n++)
            Assert.True(Same(Random(space, 5).Suggest(n, [], []), Random(space, 5).Suggest(n, [], visible)));
    }

    public static TheoryData<string, ParamSpec[], int> TinySpaces => new()
    {
        { "3 x 2", [Categorical("optimizer", ["sgd", "adam", "adamw"]), Categorical("nesterov", ["true", "false"])], 6 },
        { "4 x 5", [Categorical("optimizer", ["sgd", "adam", "adamw", "x"]), Numeric("width", ParamKind.Int, 1, 5)], 20 },
        { "conditional", [Categorical("optimizer", ["sgd", "adam"]), Categorical("nesterov", ["true", "false"], ("optimizer", "sgd"))], 3 },
        { "powers", [Numeric("batch_size", ParamKind.PowerOfTwo, 16, 128)], 4 },
        // 200 points: 100 redraws often all hit earlier points near the end, so the enumeration fallback is needed.
        { "int 1..200", [Numeric("width", ParamKind.Int, 1, 200)], 200 },
    };

    [Theory]
    [MemberData(nameof(TinySpaces))]
    public void The_first_trials_of_a_tiny_space_are_all_distinct_then_duplicates_are_accepted(string name, ParamSpec[] space, int size)
    {
        for (var seed = 0; seed < 10; seed++)
        {
            var configs = RunSequential(Random(space, seed), size + 3, _ => 0).Select(o => o.Config).ToList();
            Assert.True(size == configs.Take(size).Select(Key).Distinct().Count(), $"{name}, seed {seed}: {string.Join(" | ", configs.Take(size))}");
            Assert.All(configs, c => AssertValid(space, c));
            Assert.All(configs.Skip(size), c => Assert.Contains(Key(c), configs.Take(size).Select(Key)));
        }
    }

    [Fact]
    public void Earlier_configurations_are_rejected()
    {
        var space = new[] { Categorical("optimizer", ["sgd", "adam", "adamw"]) };
        for (var n = 0; n < 30; n++)
        {
            var free = Random(space, 3).Suggest(n, [], []);
            var other = Random(space, 3).Suggest(n, [free], []);
            Assert.False(Same(free, other), $"trial {n} repeated {free}");
        }
    }
}
