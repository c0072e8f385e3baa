using Nachos.Shared.Search;
using Nachos.Shared.Spec;
using Nachos.Shared.Tasks;
using static Nachos.Shared.Tests.SearchTestKit;

namespace Nachos.Shared.Tests;

public sealed class SearchTpeTests
{
    private static readonly ParamSpec[] LearningRate = [Numeric("learning_rate", ParamKind.LogUniform, 1e-6, 1e-1)];

    /// <summary>Distance of log10(learning rate) from the optimum −2.5.</summary>
    private static double Distance(Hyperparameters c) => Math.Abs(Math.Log10(Number(c, "learning_rate")) + 2.5);

    /// <summary>Random configurations with scores; trials where <paramref name="failed"/> holds (default: every 7th) failed.</summary>
    private static List<TrialOutcome> History(IReadOnlyList<ParamSpec> space, int n, int seed, Func<int, bool>? failed = null) =>
        Independent(Samplers.Create(NewSearch(SamplerKind.Random, space), seed), n)
            .Select((c, i) => new TrialOutcome(i, c, (failed ?? (j => j % 7 == 3))(i) ? null : -Distance(c) + (i % 5 == 0 ? 1 : 0))).ToList();

    [Fact]
    public void Same_inputs_give_the_same_configuration_from_separate_instances()
    {
        var space = MixedSpace();
        var visible = History(space, 30, seed: 4);
        var earlier = visible.Select(o => o.Config).ToList();
        for (var n = 30; n < 50; n++)
        {
            var a = Samplers.Create(NewSearch(SamplerKind.Tpe, space), 17).Suggest(n, earlier, visible);
            var b = Samplers.Create(NewSearch(SamplerKind.Tpe, space), 17).Suggest(n, earlier, visible);
            Assert.True(Same(a, b), $"trial {n}: {a} vs {b}");
            AssertValid(space, a);
        }
    }

    [Fact]
    public void With_fewer_than_ten_scored_outcomes_it_is_the_random_sampler()
    {
        var space = MixedSpace();
        // 9 scored and 5 failed outcomes: still below the startup threshold.
        var visible = History(space, 14, seed: 4, failed: i => i % 3 == 1);
        Assert.Equal(9, visible.Count(o => o.Score is not null));
        var earlier = visible.Select(o => o.Config).ToList();
        var tpe = Samplers.Create(NewSearch(SamplerKind.Tpe, space), 21);
        var random = Samplers.Create(NewSearch(SamplerKind.Random, space), 21);
        for (var n = 14; n < 40; n++)
        {
            var t = tpe.Suggest(n, earlier, visible);
            Assert.True(Same(random.Suggest(n, earlier, visible), t));
            AssertValid(space, t);
        }
        // With ten scored outcomes it models them instead: at least one of the next trials differs from random.
        visible = History(space, 15, seed: 4, failed: i => i % 3 == 1 && i < 14);
        Assert.Equal(10, visible.Count(o => o.Score is not null));
        Assert.Contains(Enumerable.Range(15, 20), n => !Same(random.Suggest(n, [], visible), tpe.Suggest(n, [], visible)));
    }

    [Theory]
    [InlineData("auroc")] // maximise −d²
    [InlineData("loss")]  // minimise d²
    public void On_a_quadratic_it_finds_the_optimum_clearly_better_than_random_search(string metric)
    {
        var sign = metric == "loss" ? 1 : -1;
        // Median distance to the optimum of the 20 best trials and of the last 20 trials, out of 60.
        (double Best, double Last) Medians(SamplerKind kind, int seed)
        {
            var sampler = Samplers.Create(NewSearch(kind, LearningRate, metric), seed);
            var outcomes = RunSequential(sampler, 60, c => sign * Math.Pow(Distance(c), 2));
            static double Median(IEnumerable<double> d) => d.Order().Skip(9).Take(2).Average();
            return (Median(outcomes.OrderBy(o => sign * o.Score!.Value).Take(20).Select(o => Distance(o.Config))),
                    Median(outcomes.Skip(40).Select(o => Distance(o.Config))));
        }
        var seeds = Enumerable.Range(1, 5).ToList();
        var tpe = seeds.Select(s => Medians(SamplerKind.Tpe, s)).ToList();
        var random = seeds.Select(s => Medians(SamplerKind.Random, s)).ToList();
        var (tpeBest, randomBest) = (tpe.Average(m => m.Best), random.Average(m => m.Best));
        var (tpeLast, randomLast) = (tpe.Average(m => m.Last), random.Average(m => m.Last));
        Assert.True(tpeBest < 0.5 * randomBest, $"median distance of the best 20: TPE {tpeBest:F3}, random {randomBest:F3}");
        Assert.True(tpeLast < 0.5 * randomLast, $"median distance of the last 20: TPE {tpeLast:F3}, random {randomLast:F3}");
    }

    [Fact]
    public void It_learns_which_category_is_best()
    {
        ParamSpec[] space = [.. LearningRate, Categorical("optimizer", ["sgd", "adam", "adamw"])];
        double? Score(Hyperparameters c) => -Distance(c) - (c.Values["optimizer"] == "adamw" ? 0 : 2);
        var tpe = RunSequential(Samplers.Create(NewSearch(SamplerKind.Tpe, space), 3), 60, Score);
        var share = tpe.Skip(30).Count(o => o.Config.Values["optimizer"] == "adamw") / 30.0;
        Assert.True(share > 0.6, $"adamw in {share:P0} of the last 30 TPE trials (random: about a third)");
    }

    [Fact]
    public void In_a_small_discrete_space_it_does_not_repeat_a_configuration_until_all_were_tried()
    {
        ParamSpec[] space = [Numeric("width", ParamKind.Int, 1, 30)];
        for (var seed = 0; seed < 5; seed++)
        {
            var configs = RunSequential(Samplers.Create(NewSearch(SamplerKind.Tpe, space), seed), 33, c => -Math.Abs(Number(c, "width") - 20))
                .Select(o => o.Config.Values["width"]).ToList();
            Assert.Equal(30, configs.Take(30).Distinct().Count());
            Assert.All(configs.Skip(30), w => Assert.InRange(int.Parse(w), 1, 30));
        }
    }

    [Fact]
    public void The_order_in_which_outcomes_arrive_does_not_matter()
    {
        var space = MixedSpace();
        var visible = History(space, 30, seed: 6);
        // Ties in score, to check that ranking does not depend on arrival order either.
        visible = visible.Select(o => o.Index % 4 == 0 ? o with { Score = 0.5 } : o).ToList();
        var earlier = visible.Select(o => o.Config).ToList();
        var sampler = Samplers.Create(NewSearch(SamplerKind.Tpe, space), 12);
        var rng = new System.Random(5);
        for (var n = 30; n < 40; n++)
        {
            var expected = sampler.Suggest(n, earlier, visible);
            for (var shuffle = 0; shuffle < 5; shuffle++)
            {
                var shuffled = visible.OrderBy(_ => rng.Next()).ToList();
                Assert.True(Same(expected, sampler.Suggest(n, earlier, shuffled)), $"trial {n}, shuffle {shuffle}");
            }
        }
    }

    [Fact]
    public void A_conditional_parameter_never_seen_in_the_outcomes_is_drawn_from_its_prior()
    {
        ParamSpec[] space =
        [
            Categorical("optimizer", ["adam", "sgd"]),
            Numeric("momentum", ParamKind.Uniform, 0.5, 0.99, ("optimizer", "sgd")),
        ];
        // Every visible trial used adam, so momentum has no observations; sgd is still proposed sometimes.
        var visible = Enumerable.Range(0, 20).Select(i => new TrialOutcome(i, Hyperparameters.Empty.With("optimizer", "adam"), i)).ToList();
        var sampler = Samplers.Create(NewSearch(SamplerKind.Tpe, space), 2);
        var configs = Enumerable.Range(20, 200).Select(n => sampler.Suggest(n, [], visible)).ToList();
        Assert.All(configs, c => AssertValid(space, c));
        var momenta = configs.Where(c => c.Values.ContainsKey("momentum")).Select(c => Number(c, "momentum")).ToList();
        Assert.NotEmpty(momenta);
        Assert.True(momenta.Distinct().Count() == momenta.Count, "momenta drawn independently");
    }

    [Fact]
    public void A_parzen_density_integrates_to_one_over_its_range()
    {
        var estimator = Parzen.Fit([0.1, 0.15, 0.9, 0.95, 0.97], 0, 1);
        const int steps = 20_000;
        var integral = Enumerable.Range(0, steps).Sum(i => Math.Exp(estimator.LogPdf((i + 0.5) / steps))) / steps;
        Assert.Equal(1.0, integral, 1e-3);
        Assert.True(estimator.LogPdf(0.95) > estimator.LogPdf(0.5));
    }

    [Fact]
    public void Categorical_density_and_mixture_weights_are_normalised()
    {
        var pdf = TpeSampler.CategoricalPdf([0, 0, 2], 4);
        Assert.Equal(1.0, pdf.Sum(), 1e-12);
        Assert.True(pdf[0] > pdf[2] && pdf[2] > pdf[1] && pdf[1] > 0 && pdf[1] == pdf[3]);
        foreach (var n in new[] { 0, 1, 24, 25, 26, 60 })
        {
            var w = TpeSampler.Weights(n);
            Assert.Equal(1.0, w.Sum(), 1e-12);
            Assert.True(w.Zip(w.Skip(1)).Take(n - 1).All(p => p.First <= p.Second + 1e-15), $"weights of {n} observations rise with recency");
        }
        var w60 = TpeSampler.Weights(60);
        Assert.True(w60[0] < w60[59]);
    }
}
