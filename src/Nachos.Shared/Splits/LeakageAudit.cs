using Nachos.Shared.Data;

namespace Nachos.Shared.Splits;

/// <summary>
/// Checks a plan before anything trains: test and train disjoint (by sample and, when grouped, by patient),
/// inner splits drawn only from the outer-train set, and every sample tested exactly once across outer folds.
/// </summary>
public static class LeakageAudit
{
    /// <summary>Refuses an inner split or a proxy selection that holds a sample of its outer test fold (a tampered or corrupted plan).</summary>
    public static void Guard(string taskId, OuterFold fold, Split inner)
    {
        var test = fold.Test.ToHashSet();
        var leaked = inner.Train.Concat(inner.Validation).FirstOrDefault(test.Contains);
        if (leaked is not null)
            throw new InvalidOperationException($"{taskId}: sample '{leaked}' of outer test fold {fold.Name} is in an inner split; refusing to train");
        if (fold.Proxy?.FirstOrDefault(test.Contains) is { } selected)
            throw new InvalidOperationException($"{taskId}: sample '{selected}' of outer test fold {fold.Name} is in the fold's proxy data; refusing to train");
    }

    public static IReadOnlyList<string> Check(SplitPlan plan, Manifest manifest, bool grouped, bool exhaustive)
    {
        var problems = new List<string>();
        var byId = manifest.ById;
        string GroupOf(string id) => grouped ? byId[id].Group : id;
        var testedCount = new Dictionary<string, int>();

        foreach (var fold in plan.Deploy is { } deploy ? plan.Outer.Append(deploy) : plan.Outer)
        {
            var isDeploy = fold == plan.Deploy;
            var f = isDeploy ? "the deploy fold" : $"outer fold {fold.Name}";
            var test = fold.Test.ToHashSet();
            var train = fold.Train.ToHashSet();
            if (isDeploy && test.Count > 0) problems.Add($"{f}: has a test set (it trains on all data)");
            if (!isDeploy && test.Count == 0) problems.Add($"{f}: empty test set");
            if (train.Count == 0) problems.Add($"{f}: empty training set");
            foreach (var id in test) testedCount[id] = testedCount.GetValueOrDefault(id) + 1;
            Disjoint(problems, f, "test", test, "train", train, GroupOf);
            if (test.Count + train.Count != byId.Count || test.Concat(train).Any(id => !byId.ContainsKey(id)))
                problems.Add($"{f}: test and train do not cover the dataset exactly");

            if (fold.Proxy is { } proxy)
            {
                var selected = proxy.ToHashSet();
                if (!selected.All(train.Contains)) problems.Add($"{f}: the proxy data holds samples outside the outer-train set");
                Disjoint(problems, f, "outer test", test, "proxy data", selected, GroupOf);
                for (var j = 0; j < fold.Inner.Count; j++)
                    if (fold.SearchSplit(j) is { } searched && (searched.Train.Count == 0 || searched.Validation.Count == 0))
                        problems.Add($"{f}, inner split {j}: empty train or validation set within the proxy data");
            }
            for (var j = 0; j < fold.Inner.Count; j++)
            {
                var s = $"{f}, inner split {j}";
                var itrain = fold.Inner[j].Train.ToHashSet();
                var ival = fold.Inner[j].Validation.ToHashSet();
                if (itrain.Count == 0 || ival.Count == 0) problems.Add($"{s}: empty train or validation set");
                var reached = itrain.Concat(ival).Where(test.Contains).Take(3).ToList();
                if (reached.Count > 0) problems.Add($"{s}: the outer test set is reachable from the inner loop ({string.Join(", ", reached)})");
                if (!itrain.Concat(ival).All(train.Contains)) problems.Add($"{s}: uses samples outside the outer-train set");
                Disjoint(problems, s, "validation", ival, "train", itrain, GroupOf);
                // The test fold's patients must not be in the inner loop either.
                Disjoint(problems, s, "outer test", test, "inner", itrain.Concat(ival).ToHashSet(), GroupOf);
            }
        }
        if (exhaustive)
            foreach (var id in byId.Keys)
                if (testedCount.GetValueOrDefault(id) != 1)
                    problems.Add($"sample '{id}' is tested {testedCount.GetValueOrDefault(id)} times across outer folds (expected exactly once)");
        return problems;
    }

    private static void Disjoint(List<string> problems, string where, string an, HashSet<string> a, string bn, HashSet<string> b, Func<string, string> groupOf)
    {
        var shared = a.Where(b.Contains).Take(3).ToList();
        if (shared.Count > 0)
        {
            problems.Add($"{where}: samples on both {an} and {bn} sides ({string.Join(", ", shared)})");
            return;
        }
        var groups = b.Select(groupOf).ToHashSet();
        var leaked = a.Select(groupOf).Where(groups.Contains).Distinct().Take(3).ToList();
        if (leaked.Count > 0) problems.Add($"{where}: patients on both {an} and {bn} sides ({string.Join(", ", leaked)})");
    }
}
