using Nachos.Shared.Data;
using Nachos.Shared.Proxy;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using static Nachos.Shared.Tests.SyntheticManifest;

namespace Nachos.Shared.Tests;

/// <summary>Proxy data: each fold's selection from its outer-train set, what the search trains on, and the leakage audit.</summary>
public sealed class ProxyDataTests : IDisposable
{
    private const int Side = 12;
    private static readonly ProxyMethod[] Methods = [ProxyMethod.MutualInformation, ProxyMethod.Ncc, ProxyMethod.Entropy, ProxyMethod.Random];
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static SplitSpec Split(int outer = 3, int inner = 2) => new(SplitScheme.KFold, outer, inner, 0.2, true, true);

    /// <summary>Class 0 a horizontal gradient, class 1 a vertical one, each image with its own amount of noise.</summary>
    private static Dictionary<string, float[]> Images(Manifest m, int seed)
    {
        var rng = new Random(seed);
        return m.Samples.ToDictionary(s => s.Id, s =>
        {
            var noise = rng.NextDouble();
            var image = new float[Side * Side];
            for (var y = 0; y < Side; y++)
                for (var x = 0; x < Side; x++)
                {
                    var clean = (s.Labels[0] == 0 ? x : y) / (Side - 1.0);
                    image[y * Side + x] = (float)Math.Clamp((1 - noise) * clean + noise * rng.NextDouble(), 0, 1);
                }
            return image;
        });
    }

    [Fact]
    public void Each_fold_selects_whole_patients_of_its_outer_train_set_in_proportion_per_class()
    {
        for (var seed = 0; seed < 12; seed++)
        {
            var rng = new Random(seed);
            var m = ByPatient(rng, rng.Next(24, 50), 2);
            var images = Images(m, seed);
            var plan = SplitPlanner.Plan(m, Split(), seed, deploy: true);
            foreach (var method in Methods)
            {
                var fraction = 0.25 + 0.1 * (seed % 4);
                var proxied = ProxyData.Apply(plan, m, id => images[id], new ProxyDataSpec(fraction, method), seed);
                Assert.Empty(LeakageAudit.Check(proxied, m, grouped: true, exhaustive: true));
                foreach (var fold in proxied.Outer.Append(proxied.Deploy!))
                {
                    var selected = fold.Proxy!.ToHashSet();
                    Assert.Subset(fold.Train.ToHashSet(), selected);
                    var groups = selected.Select(id => m.ById[id].Group).ToHashSet();
                    // A patient is in or out as a whole.
                    Assert.All(fold.Train.Where(id => groups.Contains(m.ById[id].Group)), id => Assert.Contains(id, selected));
                    // Per class and inner validation fold (each patient is validated in exactly one inner split).
                    foreach (var stratum in fold.Train.GroupBy(id => (m.ById[id].Stratum, fold.Inner.Select((s, j) => (s, j)).First(x => x.s.Validation.Contains(id)).j)))
                    {
                        var target = Math.Max(1, (int)Math.Round(fraction * stratum.Count(), MidpointRounding.AwayFromZero));
                        var taken = stratum.Count(selected.Contains);
                        Assert.InRange(taken, target, target + MaxImagesPerPatient - 1);
                    }
                    Assert.Equal(fold.Train.Where(selected.Contains), fold.Proxy); // in plan order
                }
            }
        }
    }

    [Fact]
    public void An_outer_test_images_pixels_do_not_change_its_folds_selection_while_an_outer_train_images_do()
    {
        var m = ByPatient(new Random(5), 40, 2);
        var images = Images(m, 5);
        var plan = SplitPlanner.Plan(m, Split(), 5);
        foreach (var method in Methods)
        {
            var spec = new ProxyDataSpec(0.4, method);
            var before = ProxyData.Apply(plan, m, id => images[id], spec, 5);
            for (var k = 0; k < plan.Outer.Count; k++)
            {
                var test = plan.Outer[k].Test.ToHashSet();
                // Every test image of fold k replaced: inverted, so it would rank differently against any mean.
                var changed = images.ToDictionary(kv => kv.Key, kv => test.Contains(kv.Key) ? kv.Value.Select(v => 1 - v).ToArray() : kv.Value);
                var after = ProxyData.Apply(plan, m, id => changed[id], spec, 5);
                Assert.Equal(before.Outer[k].Proxy, after.Outer[k].Proxy);
                if (method == ProxyMethod.Random) continue;
                // The check can fail: the same change to the fold's best outer-train patients changes the selection.
                var best = before.Outer[k].Proxy!.Select(id => m.ById[id].Group).Distinct().Take(4).ToHashSet();
                var trainChanged = images.ToDictionary(kv => kv.Key, kv => best.Contains(m.ById[kv.Key].Group) && !test.Contains(kv.Key)
                    ? Enumerable.Repeat(0f, kv.Value.Length).ToArray() : kv.Value);
                Assert.NotEqual(before.Outer[k].Proxy, ProxyData.Apply(plan, m, id => trainChanged[id], spec, 5).Outer[k].Proxy);
            }
        }
    }

    [Fact]
    public void The_selection_reads_no_outer_test_image_at_all()
    {
        var m = ByPatient(new Random(8), 30, 2);
        var images = Images(m, 8);
        var plan = SplitPlanner.Plan(m, Split(), 8);
        foreach (var method in Methods)
            for (var k = 0; k < plan.Outer.Count; k++)
            {
                var test = plan.Outer[k].Test.ToHashSet();
                var read = new HashSet<string>();
                ProxySelector.Select(plan.Outer[k].Train, m.ById, id => { read.Add(id); return images[id]; }, new ProxyDataSpec(0.3, method), 1);
                Assert.DoesNotContain(read, test.Contains);
            }
    }

    [Fact]
    public void Similarity_keeps_the_images_closest_to_their_class_mean()
    {
        // Two classes of four patients, one image each: three clean and one noise image per class.
        var m = Of(["c0", "c1"], ("a", "pa", 0, null), ("b", "pb", 0, null), ("c", "pc", 0, null), ("d", "pd", 0, null),
            ("e", "pe", 1, null), ("f", "pf", 1, null), ("g", "pg", 1, null), ("h", "ph", 1, null));
        var rng = new Random(1);
        float[] Gradient(bool horizontal, double noise) => [.. Enumerable.Range(0, Side * Side).Select(i =>
            (float)((1 - noise) * (horizontal ? i % Side : i / Side) / (Side - 1.0) + noise * rng.NextDouble()))];
        var images = new Dictionary<string, float[]>
        {
            ["a"] = Gradient(true, 0.05), ["b"] = Gradient(true, 0.1), ["c"] = Gradient(true, 0.9), ["d"] = Gradient(true, 0.15),
            ["e"] = Gradient(false, 0.95), ["f"] = Gradient(false, 0.05), ["g"] = Gradient(false, 0.1), ["h"] = Gradient(false, 0.2),
        };
        var ids = m.Samples.Select(s => s.Id).ToList();
        foreach (var method in new[] { ProxyMethod.Ncc, ProxyMethod.MutualInformation })
        {
            var selected = ProxySelector.Select(ids, m.ById, id => images[id], new ProxyDataSpec(0.75, method), 0);
            Assert.Equal(["a", "b", "d", "f", "g", "h"], selected);
        }
        // Entropy keeps the most spread-out intensity histograms: the noise images are not penalised.
        var byEntropy = ProxySelector.Select(ids, m.ById, id => images[id], new ProxyDataSpec(0.25, ProxyMethod.Entropy), 0);
        Assert.Equal(2, byEntropy.Count);
    }

    private static readonly SearchSpec ProxiedSearch = new(SamplerKind.Random, 4, 2, "auroc", [], 3,
        Proxy: new ProxySpec(new ProxyDataSpec(0.3, ProxyMethod.Ncc), null, TopK: 2));

    [Fact]
    public void Inner_tasks_train_and_validate_on_the_proxy_data_and_the_refit_and_test_stay_full()
    {
        var m = ByPatient(new Random(2), 36, 2);
        var images = Images(m, 2);
        var plan = ProxyData.Apply(SplitPlanner.Plan(m, Split(), 2), m, id => images[id], new ProxyDataSpec(0.3, ProxyMethod.Ncc), 2);
        var fold = plan.Outer[1];
        var inner = TrainingTasks.Resolve(plan, TaskSpec.ForSplit("st", 1, 0, 1, Hyperparameters.Empty, 3, 1), _dir.Path, ProxiedSearch);
        var selected = fold.Proxy!.ToHashSet();
        Assert.All(inner.Train.Concat(inner.Validation), id => Assert.Contains(id, selected));
        Assert.Equal(fold.Inner[1].Train.Where(selected.Contains), inner.Train);
        Assert.Equal(fold.Inner[1].Validation.Where(selected.Contains), inner.Validation);
        Assert.True(inner.Train.Count < fold.Inner[1].Train.Count);
        // The full-size stage's trials (from search.trials on) train on the whole inner split.
        var second = TrainingTasks.Resolve(plan, TaskSpec.ForSplit("st", 1, 4, 1, Hyperparameters.Empty, 3, 1), _dir.Path, ProxiedSearch);
        Assert.Equal(fold.Inner[1].Train, second.Train);
        Assert.Equal(fold.Inner[1].Validation, second.Validation);
        var refit = TrainingTasks.Resolve(plan, TaskSpec.Refit("st", 1, 0, Hyperparameters.Empty, 3, 1), _dir.Path, ProxiedSearch);
        Assert.Equal(fold.Train, refit.Train);
        Assert.Equal(fold.Test, refit.Test);
    }

    [Fact]
    public void The_audit_and_the_task_guard_refuse_a_proxy_selection_holding_an_outer_test_sample()
    {
        var m = ByPatient(new Random(4), 30, 2);
        var images = Images(m, 4);
        var plan = ProxyData.Apply(SplitPlanner.Plan(m, Split(), 4), m, id => images[id], new ProxyDataSpec(0.5, ProxyMethod.Entropy), 4);
        var fold = plan.Outer[0];
        var leaked = fold.Test[0];
        var tampered = plan with { Outer = [fold with { Proxy = [.. fold.Proxy!, leaked] }, .. plan.Outer.Skip(1)] };
        var problems = LeakageAudit.Check(tampered, m, grouped: true, exhaustive: true);
        Assert.Contains(problems, p => p.Contains("outer fold 0") && p.Contains("proxy data") && p.Contains(leaked));
        Assert.Contains(problems, p => p.Contains("proxy data holds samples outside the outer-train set"));
        var e = Assert.Throws<InvalidOperationException>(() =>
            TrainingTasks.Resolve(tampered, TaskSpec.ForSplit("st", 0, 0, 0, Hyperparameters.Empty, 3, 1), _dir.Path, ProxiedSearch));
        Assert.Contains($"sample '{leaked}' of outer test fold 0 is in the fold's proxy data", e.Message);
        Assert.Empty(LeakageAudit.Check(plan, m, grouped: true, exhaustive: true));
    }

    [Fact]
    public void Splits_json_has_no_proxy_key_without_proxy_data_and_round_trips_the_selection_with_it()
    {
        var m = ByPatient(new Random(6), 24, 2);
        var images = Images(m, 6);
        var plain = SplitPlanner.Plan(m, Split(), 6, deploy: true);
        var hash = plain.Write(_dir.File("plain.json"));
        Assert.DoesNotContain("proxy", File.ReadAllText(_dir.File("plain.json")));
        Assert.Equal(hash, SplitPlan.Read(_dir.File("plain.json")).Hash);

        var proxied = ProxyData.Apply(plain, m, id => images[id], new ProxyDataSpec(0.5, ProxyMethod.MutualInformation), 6);
        Assert.NotEqual(hash, proxied.Write(_dir.File("proxy.json")));
        var read = SplitPlan.Read(_dir.File("proxy.json"));
        Assert.Equal(proxied.Hash, read.Hash);
        Assert.Equal(proxied.Outer.Select(f => f.Proxy), read.Outer.Select(f => f.Proxy));
        Assert.Equal(proxied.Deploy!.Proxy, read.Deploy!.Proxy);
    }

    [Fact]
    public void A_fraction_that_leaves_an_inner_validation_set_without_a_class_is_refused_before_its_metric_is_undefined()
    {
        // Plans whose inner splits do not partition the outer-train set can hide a class from the selection: c1's two
        // patients are validated in no inner split, only the clean one (s11) is kept, and split 0 trains on the other.
        var m = Of(["c0", "c1"], [.. Enumerable.Range(0, 12).Select(i => ($"s{i}", $"p{i}", i < 10 ? 0 : 1, (string?)null))]);
        var images = Images(m, 11);
        var rng = new Random(3);
        images["s10"] = [.. Enumerable.Range(0, Side * Side).Select(_ => (float)(0.5 + 0.05 * rng.NextDouble()))];
        images["s11"] = [.. Enumerable.Range(0, Side * Side).Select(i => (float)(i / Side / (Side - 1.0)))];
        string[] Ids(params int[] i) => [.. i.Select(x => $"s{x}")];
        var fold = new OuterFold(0, "0", ["s0"], Ids(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
            [new Split(Ids(1, 2, 3, 4, 5, 10), Ids(6, 7, 8, 9)), new Split(Ids(6, 7, 8, 9, 11), Ids(1, 2, 3, 4, 5))]);
        var e = Assert.Throws<SplitException>(() =>
            ProxyData.Apply(new SplitPlan("kfold", 1, [fold]), m, id => images[id], new ProxyDataSpec(0.2, ProxyMethod.Ncc), 11));
        Assert.Contains("leaves inner split 0 of outer fold 0 with no training sample of class 'c1'", e.Message);
        // Selecting per class and inner fold keeps every class on both sides of every inner split, even at a small fraction.
        var plan = SplitPlanner.Plan(ByPatient(new Random(11), 30, 2), Split(3, 2), 11);
        m = ByPatient(new Random(11), 30, 2);
        images = Images(m, 11);
        var ok = ProxyData.Apply(plan, m, id => images[id], new ProxyDataSpec(0.05, ProxyMethod.Ncc), 11);
        Assert.All(ok.Outer, f => Assert.All(Enumerable.Range(0, f.Inner.Count), j =>
            Assert.Equal(2, f.SearchSplit(j).Validation.Select(id => m.ById[id].Labels[0]).Distinct().Count())));
    }
}
