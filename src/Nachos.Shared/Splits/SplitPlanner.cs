using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Seeding;

namespace Nachos.Shared.Splits;

/// <summary>Builds the outer × inner plan a spec asks for, then audits it for leakage.</summary>
public static class SplitPlanner
{
    /// <param name="deploy">Also plan DACHOS's deploy fold: inner splits of the whole dataset, no test set.</param>
    public static SplitPlan Plan(Manifest manifest, SplitSpec spec, int seed, bool deploy = false)
    {
        var samples = manifest.Samples;
        var stratifyClasses = spec.Stratify && manifest.Task != TaskKind.Multilabel;
        var grouped = spec.GroupByPatient;
        var rng = new Random(seed);

        // Outer folds as (name, test sample indices).
        List<(string Name, int[] Test)> outer;
        switch (spec.Scheme)
        {
            case SplitScheme.KFold:
            case SplitScheme.CrossTesting when samples.All(s => s.Fold is null):
                outer = KFold(samples, spec.OuterFolds, spec, manifest, rng, "outer folds");
                break;
            case SplitScheme.Holdout:
                var side = FoldAssigner.Assign(samples, [spec.TestFraction, 1 - spec.TestFraction], spec.Stratify, grouped, rng, "holdout sides");
                if (stratifyClasses) FoldAssigner.RequireEveryClass(samples, side, 2, manifest.Classes, grouped, "holdout sides");
                outer = [("holdout", Indices(side, 0))];
                break;
            case SplitScheme.LeaveSiteOut:
                outer = ByValue(samples, s => s.Site, "site", grouped);
                if (outer.Count < 2) throw new SplitException($"leave-site-out needs two or more sites, found {outer.Count}");
                break;
            default: // fold column, and cross-testing on given folds
                outer = ByValue(samples, s => s.Fold, "fold", grouped);
                if (outer.Count < 2) throw new SplitException($"the fold column names {outer.Count} fold(s); two or more are needed");
                break;
        }

        if (spec.Scheme == SplitScheme.CrossTesting && outer.Count < 3)
            throw new SplitException($"cross-testing needs 3 or more folds (one tests, one validates, the rest train), found {outer.Count}");
        var folds = new List<OuterFold>();
        for (var k = 0; k < outer.Count; k++)
        {
            var (name, test) = outer[k];
            var testSet = test.ToHashSet();
            var trainIdx = Enumerable.Range(0, samples.Count).Where(i => !testSet.Contains(i)).ToArray();
            var train = trainIdx.Select(i => samples[i]).ToList();
            List<Split> inner;
            if (spec.Scheme == SplitScheme.CrossTesting)
            {
                inner = outer.Where((_, v) => v != k).Select(o =>
                {
                    var val = o.Test.ToHashSet();
                    return new Split(Ids(samples, trainIdx.Where(i => !val.Contains(i))), Ids(samples, o.Test));
                }).ToList();
            }
            else
            {
                var innerRng = new Random(Seeds.Derive(seed, 1, k));
                inner = InnerKFold(train, spec, manifest, innerRng, $"inner folds of outer fold {name}");
            }
            folds.Add(new OuterFold(k, name, Ids(samples, test), Ids(samples, trainIdx), inner));
        }

        var plan = new SplitPlan(SpecNames.NameOf(SpecNames.Schemes, spec.Scheme), seed, folds,
            deploy ? DeployFold(manifest, spec, seed, folds.Count) : null);
        var problems = LeakageAudit.Check(plan, manifest, grouped, exhaustive: spec.Scheme != SplitScheme.Holdout);
        if (problems.Count > 0)
            throw new SplitException("the split plan leaks:\n  " + string.Join("\n  ", problems.Take(20)));
        return plan;
    }

    /// <summary>
    /// DACHOS's fold: the whole dataset is its training set; its inner splits are k-fold (inner_folds, grouped and
    /// stratified as the spec says) with the seed an outer fold at its index would have.
    /// </summary>
    private static OuterFold DeployFold(Manifest manifest, SplitSpec spec, int seed, int index)
    {
        var all = manifest.Samples;
        var inner = InnerKFold(all, spec, manifest, new Random(Seeds.Derive(seed, 1, index)), "inner folds of the deploy fold");
        return new OuterFold(index, "deploy", [], all.Select(s => s.Id).ToList(), inner);
    }

    /// <summary>inner_folds train/validation splits of <paramref name="train"/>, each fold validating in turn.</summary>
    private static List<Split> InnerKFold(IReadOnlyList<Sample> train, SplitSpec spec, Manifest manifest, Random rng, string what) =>
        KFold(train, spec.InnerFolds, spec, manifest, rng, what).Select(f =>
        {
            var val = f.Test.ToHashSet();
            return new Split(train.Where((_, i) => !val.Contains(i)).Select(s => s.Id).ToList(), f.Test.Select(i => train[i].Id).ToList());
        }).ToList();

    private static List<(string Name, int[] Test)> KFold(IReadOnlyList<Sample> samples, int k, SplitSpec spec, Manifest manifest, Random rng, string what)
    {
        var weights = Enumerable.Repeat(1.0, k).ToArray();
        var foldOf = FoldAssigner.Assign(samples, weights, spec.Stratify, spec.GroupByPatient, rng, what);
        if (spec.Stratify && manifest.Task != TaskKind.Multilabel)
            FoldAssigner.RequireEveryClass(samples, foldOf, k, manifest.Classes, spec.GroupByPatient, what);
        return Enumerable.Range(0, k).Select(f => ($"{f}", Indices(foldOf, f))).ToList();
    }

    private static List<(string Name, int[] Test)> ByValue(IReadOnlyList<Sample> samples, Func<Sample, string?> key, string what, bool grouped)
    {
        var missing = samples.FirstOrDefault(s => key(s) is null);
        if (missing is not null) throw new SplitException($"line {missing.Line}: sample '{missing.Id}' has no {what}");
        if (grouped)
        {
            var split = samples.GroupBy(s => s.Group).FirstOrDefault(g => g.Select(key).Distinct().Count() > 1);
            if (split is not null)
                throw new SplitException($"patient '{split.Key}' appears in more than one {what} ({string.Join(", ", split.Select(key).Distinct())}); grouped splits cannot keep it on one side");
        }
        return samples.Select((s, i) => (v: key(s)!, i)).GroupBy(t => t.v)
            .OrderBy(g => g.Key, NaturalOrder.Instance)
            .Select(g => (g.Key, g.Select(t => t.i).ToArray())).ToList();
    }

    private static int[] Indices(int[] foldOf, int f) => Enumerable.Range(0, foldOf.Length).Where(i => foldOf[i] == f).ToArray();

    private static List<string> Ids(IReadOnlyList<Sample> samples, IEnumerable<int> idx) => idx.Select(i => samples[i].Id).ToList();

    /// <summary>Orders "fold2" before "fold10".</summary>
    private sealed class NaturalOrder : IComparer<string>
    {
        public static readonly NaturalOrder Instance = new();

        public int Compare(string? a, string? b)
        {
            var (pa, na) = Split(a!);
            var (pb, nb) = Split(b!);
            var c = string.CompareOrdinal(pa, pb);
            return c != 0 ? c : na != nb ? na.CompareTo(nb) : string.CompareOrdinal(a, b);
        }

        private static (string, long) Split(string s)
        {
            var i = s.Length;
            while (i > 0 && char.IsDigit(s[i - 1])) i--;
            return (s[..i], i < s.Length && s.Length - i < 18 ? long.Parse(s[i..]) : -1);
        }
    }
}
