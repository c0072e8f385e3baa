using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using static Nachos.Shared.Tests.SyntheticManifest;

namespace Nachos.Shared.Tests;

/// <summary>
/// Properties of the split planner over many random manifests. The checks here are independent of
/// <see cref="LeakageAudit"/> (which the planner also runs), so a bug in both would still be caught.
/// </summary>
public sealed class SplitPlannerPropertyTests
{
    private const int Seeds = 100;

    /// <summary>Runs <paramref name="check"/> for seeds 0..Seeds-1, naming the seed in any failure.</summary>
    private static void ForSeeds(Action<int, Random> check)
    {
        for (var seed = 0; seed < Seeds; seed++)
        {
            try { check(seed, new Random(seed)); }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException || !e.Message.StartsWith("seed "))
            {
                throw new Xunit.Sdk.XunitException($"seed {seed}: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    private static SplitSpec Spec(SplitScheme scheme, int outer = 3, int inner = 2, double testFraction = 0.2, bool stratify = true, bool grouped = true) =>
        new(scheme, outer, inner, testFraction, stratify, grouped);

    // ---------- independent checks ----------

    private static void Fail(string message) => throw new Xunit.Sdk.XunitException(message);

    private static HashSet<string> Patients(Manifest m, IEnumerable<string> ids) => ids.Select(id => m.ById[id].Group).ToHashSet();

    private static void NoSharedPatients(Manifest m, string where, IEnumerable<string> a, IEnumerable<string> b)
    {
        var shared = Patients(m, a);
        shared.IntersectWith(Patients(m, b));
        if (shared.Count > 0) Fail($"{where}: patients on both sides: {string.Join(", ", shared.Take(5))}");
    }

    private static void NoSharedSamples(string where, IEnumerable<string> a, IEnumerable<string> b)
    {
        var shared = a.ToHashSet();
        shared.IntersectWith(b);
        if (shared.Count > 0) Fail($"{where}: samples on both sides: {string.Join(", ", shared.Take(5))}");
    }

    /// <summary>Structure every plan must have; patient-disjointness at every level when grouped.</summary>
    private static void CheckPlan(Manifest m, SplitPlan plan, bool grouped, bool innerIsKFold)
    {
        var all = m.Samples.Select(s => s.Id).ToHashSet();
        foreach (var fold in plan.Outer)
        {
            var f = $"outer fold {fold.Name}";
            Assert.NotEmpty(fold.Test);
            Assert.NotEmpty(fold.Train);
            Assert.Equal(fold.Test.Count, fold.Test.Distinct().Count());
            Assert.Equal(fold.Train.Count, fold.Train.Distinct().Count());
            NoSharedSamples(f, fold.Test, fold.Train);
            Assert.True(all.SetEquals(fold.Test.Concat(fold.Train)), $"{f}: test + train is not the dataset");
            if (grouped) NoSharedPatients(m, $"{f} test vs train", fold.Test, fold.Train);

            Assert.NotEmpty(fold.Inner);
            var outerTrain = fold.Train.ToHashSet();
            var validatedTimes = new Dictionary<string, int>();
            for (var j = 0; j < fold.Inner.Count; j++)
            {
                var s = $"{f} inner split {j}";
                var (itrain, ival) = (fold.Inner[j].Train, fold.Inner[j].Validation);
                Assert.NotEmpty(itrain);
                Assert.NotEmpty(ival);
                Assert.True(outerTrain.IsSupersetOf(itrain), $"{s}: inner train uses samples outside the outer-train set");
                Assert.True(outerTrain.IsSupersetOf(ival), $"{s}: validation uses samples outside the outer-train set");
                NoSharedSamples(s, itrain, ival);
                Assert.True(outerTrain.SetEquals(itrain.Concat(ival)), $"{s}: inner train + validation is not the outer-train set");
                foreach (var id in ival) validatedTimes[id] = validatedTimes.GetValueOrDefault(id) + 1;
                if (grouped)
                {
                    NoSharedPatients(m, $"{s} validation vs train", ival, itrain);
                    NoSharedPatients(m, $"{s} outer test vs inner", fold.Test, itrain.Concat(ival));
                }
            }
            if (innerIsKFold)
                Assert.True(outerTrain.All(id => validatedTimes.GetValueOrDefault(id) == 1),
                    $"{f}: inner folds do not validate every outer-train sample exactly once");
        }
    }

    private static void TestedExactlyOnce(Manifest m, SplitPlan plan)
    {
        var times = plan.Outer.SelectMany(f => f.Test).GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        foreach (var s in m.Samples)
            if (times.GetValueOrDefault(s.Id) != 1) Fail($"sample {s.Id} is tested {times.GetValueOrDefault(s.Id)} times");
        Assert.Equal(m.Samples.Count, times.Count);
    }

    private static void CountsWithin(string where, IEnumerable<int[]> countsPerFold, int classes, int tolerance)
    {
        var folds = countsPerFold.ToList();
        for (var c = 0; c < classes; c++)
        {
            var spread = folds.Max(f => f[c]) - folds.Min(f => f[c]);
            if (spread > tolerance) Fail($"{where}: class {c} counts per fold [{string.Join(", ", folds.Select(f => f[c]))}] differ by more than {tolerance}");
        }
    }

    private static void StratifiedWithin(Manifest m, SplitPlan plan, int tolerance)
    {
        var classes = m.Classes.Count;
        CountsWithin("outer folds", plan.Outer.Select(f => ClassCounts(m, f.Test, classes)), classes, tolerance);
        foreach (var f in plan.Outer)
            CountsWithin($"inner folds of outer fold {f.Name}", f.Inner.Select(s => ClassCounts(m, s.Validation, classes)), classes, tolerance);
    }

    // ---------- properties ----------

    [Fact]
    public void Grouped_stratified_kfold_keeps_patients_on_one_side_and_tests_every_sample_once()
    {
        ForSeeds((seed, rng) =>
        {
            var classes = rng.Next(2, 4);
            var m = ByPatient(rng, rng.Next(10, 61), classes);
            // Every class has at least `outer` patients, so every outer fold gets one and every
            // outer-train set keeps at least outer-1 >= inner of them: the request is always feasible.
            var outer = rng.Next(3, Math.Min(5, MinPatientsPerClass(m)) + 1);
            var inner = rng.Next(2, outer);
            var plan = SplitPlanner.Plan(m, Spec(SplitScheme.KFold, outer, inner), seed);

            Assert.Equal(outer, plan.Outer.Count);
            Assert.All(plan.Outer, f => Assert.Equal(inner, f.Inner.Count));
            CheckPlan(m, plan, grouped: true, innerIsKFold: true);
            TestedExactlyOnce(m, plan);
            // Whole patients (one class each, at most 5 images) move at once, so per-fold class counts
            // can differ by up to one patient's images.
            StratifiedWithin(m, plan, MaxImagesPerPatient);
        });
    }

    [Fact]
    public void Ungrouped_stratified_kfold_balances_each_class_within_one_per_fold()
    {
        ForSeeds((seed, rng) =>
        {
            var classes = rng.Next(2, 4);
            var m = ByImage(rng, rng.Next(10, 61), classes);
            var perClass = ClassCounts(m, m.Samples.Select(s => s.Id), classes);
            var outer = rng.Next(2, Math.Min(5, perClass.Min()) + 1);
            // A balanced outer split leaves each class n - ceil(n / outer) training samples.
            var innerMax = perClass.Min(n => n - (n + outer - 1) / outer);
            if (innerMax < 2) outer = 3; // n >= 3 always holds, and 3 folds leave >= 2
            innerMax = perClass.Min(n => n - (n + outer - 1) / outer);
            var inner = rng.Next(2, Math.Min(4, innerMax) + 1);
            var plan = SplitPlanner.Plan(m, Spec(SplitScheme.KFold, outer, inner, grouped: false), seed);

            Assert.Equal(outer, plan.Outer.Count);
            CheckPlan(m, plan, grouped: false, innerIsKFold: true);
            TestedExactlyOnce(m, plan);
            StratifiedWithin(m, plan, 1);
        });
    }

    [Fact]
    public void Leave_site_out_tests_each_site_once_and_keeps_patients_on_one_side()
    {
        ForSeeds((seed, rng) =>
        {
            var sites = rng.Next(3, 5);
            var m = ByPatient(rng, rng.Next(10, 61), rng.Next(2, 4), sites: sites);
            var plan = SplitPlanner.Plan(m, Spec(SplitScheme.LeaveSiteOut, inner: 2), seed);

            var present = m.Samples.Select(s => s.Site!).Distinct().Order().ToList();
            Assert.Equal(present, plan.Outer.Select(f => f.Name).Order());
            foreach (var f in plan.Outer)
            {
                Assert.All(f.Test, id => Assert.Equal(f.Name, m.ById[id].Site));
                Assert.All(f.Train, id => Assert.NotEqual(f.Name, m.ById[id].Site));
            }
            CheckPlan(m, plan, grouped: true, innerIsKFold: true);
            TestedExactlyOnce(m, plan);
        });
    }

    [Fact]
    public void Fold_column_uses_the_given_folds_and_keeps_patients_on_one_side()
    {
        ForSeeds((seed, rng) =>
        {
            var m = ByPatient(rng, rng.Next(10, 61), rng.Next(2, 4), folds: rng.Next(3, 6));
            var plan = SplitPlanner.Plan(m, Spec(SplitScheme.FoldColumn, inner: 2), seed);

            var given = m.Samples.GroupBy(s => s.Fold!).ToDictionary(g => g.Key, g => g.Select(s => s.Id).ToHashSet());
            Assert.Equal(given.Count, plan.Outer.Count);
            foreach (var f in plan.Outer) Assert.True(given[f.Name].SetEquals(f.Test), $"fold {f.Name} is not the fold column's");
            CheckPlan(m, plan, grouped: true, innerIsKFold: true);
            TestedExactlyOnce(m, plan);
        });
    }

    [Fact]
    public void Cross_testing_validates_on_every_other_fold()
    {
        ForSeeds((seed, rng) =>
        {
            var m = ByPatient(rng, rng.Next(10, 61), rng.Next(2, 4), folds: 0);
            var k = rng.Next(3, Math.Min(5, MinPatientsPerClass(m)) + 1);
            var plan = SplitPlanner.Plan(m, Spec(SplitScheme.CrossTesting, outer: k), seed);

            Assert.Equal("cross-testing", plan.Scheme);
            Assert.Equal(k, plan.Outer.Count);
            CheckPlan(m, plan, grouped: true, innerIsKFold: false);
            TestedExactlyOnce(m, plan);
            CheckCrossTesting(plan);
        });
    }

    [Fact]
    public void Cross_testing_on_a_fold_column_validates_on_every_other_given_fold()
    {
        ForSeeds((seed, rng) =>
        {
            var folds = rng.Next(3, 6);
            var m = ByPatient(rng, rng.Next(10, 61), rng.Next(2, 4), folds: folds);
            var plan = SplitPlanner.Plan(m, Spec(SplitScheme.CrossTesting, outer: 7), seed);

            var given = m.Samples.GroupBy(s => s.Fold!).ToDictionary(g => g.Key, g => g.Select(s => s.Id).ToHashSet());
            Assert.Equal(given.Count, plan.Outer.Count);
            foreach (var f in plan.Outer) Assert.True(given[f.Name].SetEquals(f.Test));
            CheckPlan(m, plan, grouped: true, innerIsKFold: false);
            TestedExactlyOnce(m, plan);
            CheckCrossTesting(plan);
        });
    }

    private static void CheckCrossTesting(SplitPlan plan)
    {
        var k = plan.Outer.Count;
        foreach (var f in plan.Outer)
        {
            Assert.Equal(k - 1, f.Inner.Count);
            var others = plan.Outer.Where(o => o.Index != f.Index).Select(o => o.Test.Order().ToList()).ToList();
            var validations = f.Inner.Select(s => s.Validation.Order().ToList()).ToList();
            // The validation sets are exactly the other folds' test sets, each once.
            foreach (var o in others) Assert.Single(validations, v => v.SequenceEqual(o));
            foreach (var s in f.Inner)
                Assert.True(f.Train.Except(s.Validation).ToHashSet().SetEquals(s.Train), "inner train is not outer train minus validation");
        }
    }

    [Fact]
    public void Holdout_grouped_test_fraction_is_within_one_patient_per_class_of_the_request()
    {
        ForSeeds((seed, rng) =>
        {
            var classes = rng.Next(2, 4);
            var m = ByPatient(rng, rng.Next(30, 61), classes);
            var fraction = new[] { 0.2, 0.25, 0.3, 0.4 }[rng.Next(4)];
            var plan = SplitPlanner.Plan(m, Spec(SplitScheme.Holdout, inner: rng.Next(2, 4), testFraction: fraction), seed);

            var fold = Assert.Single(plan.Outer);
            Assert.Equal("holdout", fold.Name);
            CheckPlan(m, plan, grouped: true, innerIsKFold: true);
            // Per class, greedy placement of whole patients ends within one patient (<= 5 images) of the target.
            var test = ClassCounts(m, fold.Test, classes);
            var all = ClassCounts(m, m.Samples.Select(s => s.Id), classes);
            for (var c = 0; c < classes; c++)
                Assert.True(Math.Abs(test[c] - fraction * all[c]) <= MaxImagesPerPatient,
                    $"class {c}: {test[c]} of {all[c]} tested, requested {fraction}");
            Assert.InRange((double)fold.Test.Count / m.Samples.Count, fraction - 0.15, fraction + 0.15);
        });
    }

    [Fact]
    public void Holdout_ungrouped_test_fraction_is_within_one_sample_per_class_of_the_request()
    {
        ForSeeds((seed, rng) =>
        {
            var classes = rng.Next(2, 4);
            var m = ByImage(rng, rng.Next(30, 61), classes);
            var fraction = new[] { 0.1, 0.2, 0.25, 1.0 / 3 }[rng.Next(4)];
            var plan = SplitPlanner.Plan(m, Spec(SplitScheme.Holdout, inner: 2, testFraction: fraction, grouped: false), seed);

            var fold = Assert.Single(plan.Outer);
            CheckPlan(m, plan, grouped: false, innerIsKFold: true);
            var test = ClassCounts(m, fold.Test, classes);
            var all = ClassCounts(m, m.Samples.Select(s => s.Id), classes);
            for (var c = 0; c < classes; c++)
                Assert.True(Math.Abs(test[c] - fraction * all[c]) <= 1.0,
                    $"class {c}: {test[c]} of {all[c]} tested, requested {fraction}");
        });
    }

    [Fact]
    public void Same_seed_gives_the_same_plan_and_hash_another_seed_another()
    {
        var m = ByPatient(new Random(5), 40, 2);
        var spec = Spec(SplitScheme.KFold, 4, 3);
        var a = SplitPlanner.Plan(m, spec, 7);
        var b = SplitPlanner.Plan(m, spec, 7);
        var c = SplitPlanner.Plan(m, spec, 8);

        Assert.Matches("^[0-9a-f]{64}$", a.Hash);
        Assert.Equal(a.Hash, b.Hash);
        Assert.Equal(a.Outer.Select(f => f.Test), b.Outer.Select(f => f.Test));
        Assert.NotEqual(a.Hash, c.Hash);
        Assert.NotEqual(a.Outer.Select(f => f.Test.Order().ToList()), c.Outer.Select(f => f.Test.Order().ToList()));
    }

    [Fact]
    public void Split_plan_round_trips_through_a_file_and_an_edit_is_detected()
    {
        using var dir = new TempDir();
        var m = ByPatient(new Random(11), 20, 2);
        var plan = SplitPlanner.Plan(m, Spec(SplitScheme.KFold, 3, 2), 3);
        var path = dir.File("plans/plan.json");
        var hash = plan.Write(path);
        Assert.Equal(plan.Hash, hash);

        var read = SplitPlan.Read(path);
        Assert.Equal(hash, read.Hash);
        Assert.Equal(plan.Scheme, read.Scheme);
        Assert.Equal(plan.Seed, read.Seed);
        Assert.Equal(plan.Outer.Select(f => f.Test), read.Outer.Select(f => f.Test));
        Assert.Equal(plan.Outer.Select(f => f.Inner.Select(s => s.Validation)), read.Outer.Select(f => f.Inner.Select(s => s.Validation)));

        // Move one sample's id: the stored hash no longer matches.
        var text = File.ReadAllText(path);
        var victim = $"\"{plan.Outer[0].Test[0]}\"";
        Assert.Contains(victim, text);
        File.WriteAllText(path, text.Replace(victim, "\"someone-else.png\""));
        var ex = Assert.Throws<InvalidDataException>(() => SplitPlan.Read(path));
        Assert.Contains("hash", ex.Message);

        // Changing the seed is an edit too.
        var seedLine = "\"seed\": 3";
        Assert.Contains(seedLine, text);
        File.WriteAllText(path, text.Replace(seedLine, "\"seed\": 4"));
        Assert.Throws<InvalidDataException>(() => SplitPlan.Read(path));
    }

    // ---------- impossible requests ----------

    [Fact]
    public void Five_folds_from_three_patients_is_impossible()
    {
        var m = SyntheticManifest.Of(["a", "b"],
            ("1", "p1", 0, null), ("2", "p1", 1, null), ("3", "p2", 0, null),
            ("4", "p2", 1, null), ("5", "p3", 0, null), ("6", "p3", 1, null));
        var ex = Assert.Throws<SplitException>(() => SplitPlanner.Plan(m, Spec(SplitScheme.KFold, outer: 5, stratify: false), 1));
        Assert.Contains("5", ex.Message);
        Assert.Contains("3 patients", ex.Message);
    }

    [Fact]
    public void A_class_with_fewer_patients_than_folds_is_impossible_when_stratified()
    {
        // Ten patients; class 'pos' is only two of them (six images), so it cannot be in all three folds.
        var rows = new List<(string, string, int, string?)>();
        for (var p = 0; p < 10; p++)
            for (var i = 0; i < 3; i++)
                rows.Add(($"p{p}-{i}", $"p{p}", p < 2 ? 1 : 0, null));
        var m = SyntheticManifest.Of(["neg", "pos"], [.. rows]);
        var ex = Assert.Throws<SplitException>(() => SplitPlanner.Plan(m, Spec(SplitScheme.KFold, outer: 3), 1));
        Assert.Contains("'pos'", ex.Message);
        Assert.Contains("2 patients", ex.Message);
        Assert.Contains("3", ex.Message);

        // Unstratified, the same request is possible.
        var plan = SplitPlanner.Plan(m, Spec(SplitScheme.KFold, outer: 3, stratify: false), 1);
        Assert.Equal(3, plan.Outer.Count);
    }

    [Fact]
    public void A_patient_at_two_sites_is_impossible_for_grouped_leave_site_out()
    {
        var m = SyntheticManifest.Of(["a", "b"],
            ("1", "p1", 0, "north"), ("2", "p1", 1, "south"),
            ("3", "p2", 0, "north"), ("4", "p3", 1, "north"), ("5", "p4", 0, "south"), ("6", "p5", 1, "south"));
        var ex = Assert.Throws<SplitException>(() => SplitPlanner.Plan(m, Spec(SplitScheme.LeaveSiteOut, stratify: false), 1));
        Assert.Contains("'p1'", ex.Message);
        Assert.Contains("north", ex.Message);
        Assert.Contains("south", ex.Message);
    }

    [Fact]
    public void Leave_site_out_needs_a_site_on_every_sample_and_two_sites()
    {
        var missing = SyntheticManifest.Of(["a", "b"], ("1", "p1", 0, "x"), ("2", "p2", 1, null));
        var ex = Assert.Throws<SplitException>(() => SplitPlanner.Plan(missing, Spec(SplitScheme.LeaveSiteOut, stratify: false, grouped: false), 1));
        Assert.Contains("line 3", ex.Message);
        Assert.Contains("'2'", ex.Message);

        var one = SyntheticManifest.Of(["a", "b"], ("1", "p1", 0, "x"), ("2", "p2", 1, "x"));
        ex = Assert.Throws<SplitException>(() => SplitPlanner.Plan(one, Spec(SplitScheme.LeaveSiteOut, stratify: false, grouped: false), 1));
        Assert.Contains("two or more sites", ex.Message);
    }

    [Fact]
    public void Cross_testing_with_two_folds_is_reported_as_impossible_not_as_a_leak()
    {
        // With two folds, the only validation fold of each test fold is the whole outer-train set,
        // so every inner training set is empty. The spec loader accepts outer_folds: 2 for cross-testing
        // (and a fold column may name just two folds); the planner must say why it cannot plan.
        var m = ByPatient(new Random(1), 20, 2, folds: 0);
        var ex = Assert.Throws<SplitException>(() => SplitPlanner.Plan(m, Spec(SplitScheme.CrossTesting, outer: 2), 1));
        Assert.Contains("cross-testing", ex.Message);
        Assert.DoesNotContain("leaks", ex.Message);
    }

    [Fact]
    public void Fold_column_folds_are_in_natural_order()
    {
        var samples = new List<Sample>();
        foreach (var fold in new[] { "fold10", "fold2", "fold1" })
            for (var i = 0; i < 3; i++)
                samples.Add(new Sample($"{fold}-{i}", samples.Count + 2, "/x", [i % 2], null, $"{fold}-{i}", null, fold));
        var m = new Manifest("m", TaskKind.Binary, ["a", "b"], samples);
        var plan = SplitPlanner.Plan(m, Spec(SplitScheme.FoldColumn, inner: 2, stratify: false, grouped: false), 1);
        Assert.Equal(["fold1", "fold2", "fold10"], plan.Outer.Select(f => f.Name));
        Assert.Equal([0, 1, 2], plan.Outer.Select(f => f.Index));
    }

    // ---------- the audit itself ----------

    /// <summary>Four patients with two images each: p1-a, p1-b, ..., p4-b.</summary>
    private static readonly Manifest Four = SyntheticManifest.Of(["a", "b"],
        ("p1-a", "p1", 0, null), ("p1-b", "p1", 0, null), ("p2-a", "p2", 1, null), ("p2-b", "p2", 1, null),
        ("p3-a", "p3", 0, null), ("p3-b", "p3", 0, null), ("p4-a", "p4", 1, null), ("p4-b", "p4", 1, null));

    private static string[] Ids(params string[] patients) => patients.SelectMany(p => new[] { p + "-a", p + "-b" }).ToArray();

    private static OuterFold Fold(int k, string[] test, params Split[] inner) =>
        new(k, $"{k}", test, Four.Samples.Select(s => s.Id).Except(test).ToArray(), inner);

    [Fact]
    public void Audit_accepts_a_clean_plan()
    {
        var plan = new SplitPlan("kfold", 1, [
            Fold(0, Ids("p1", "p2"), new Split(Ids("p3"), Ids("p4")), new Split(Ids("p4"), Ids("p3"))),
            Fold(1, Ids("p3", "p4"), new Split(Ids("p1"), Ids("p2")), new Split(Ids("p2"), Ids("p1"))),
        ]);
        Assert.Empty(LeakageAudit.Check(plan, Four, grouped: true, exhaustive: true));
    }

    [Fact]
    public void Audit_reports_a_patient_on_both_test_and_train_sides()
    {
        // p1-a is tested while p1-b trains: no sample is shared, but patient p1 is.
        var plan = new SplitPlan("kfold", 1, [Fold(0, ["p1-a", "p2-a", "p2-b"], new Split(Ids("p3"), Ids("p4")))]);
        var problems = LeakageAudit.Check(plan, Four, grouped: true, exhaustive: false);
        var p = Assert.Single(problems);
        Assert.Contains("outer fold 0", p);
        Assert.Contains("patients on both test and train", p);
        Assert.Contains("p1", p);
        Assert.DoesNotContain("p2", p);
        // Ungrouped, only shared samples count, and test and train share none.
        Assert.Empty(LeakageAudit.Check(plan, Four, grouped: false, exhaustive: false));
    }

    [Fact]
    public void The_independent_checks_used_above_reject_leaky_plans()
    {
        var patientLeak = new SplitPlan("kfold", 1, [Fold(0, ["p1-a", "p2-a", "p2-b"], new Split(Ids("p3"), ["p4-a", "p4-b", "p1-b"]))]);
        Assert.Throws<Xunit.Sdk.XunitException>(() => CheckPlan(Four, patientLeak, grouped: true, innerIsKFold: false));
        var innerLeak = new SplitPlan("kfold", 1, [Fold(0, Ids("p1", "p2"), new Split(Ids("p3"), ["p4-a", "p4-b", "p1-a"]))]);
        Assert.ThrowsAny<Exception>(() => CheckPlan(Four, innerLeak, grouped: false, innerIsKFold: false));
        var twice = new SplitPlan("kfold", 1, [Fold(0, Ids("p1", "p2"), new Split(Ids("p3"), Ids("p4"))), Fold(1, Ids("p2", "p3", "p4"), new Split(["p1-a"], ["p1-b"]))]);
        Assert.ThrowsAny<Exception>(() => TestedExactlyOnce(Four, twice));
        var unbalanced = new SplitPlan("kfold", 1, [Fold(0, Ids("p1", "p3"), new Split(Ids("p2"), Ids("p4"))), Fold(1, Ids("p2", "p4"), new Split(Ids("p1"), Ids("p3")))]);
        Assert.Throws<Xunit.Sdk.XunitException>(() => StratifiedWithin(Four, unbalanced, 1));
    }

    [Fact]
    public void Audit_reports_an_inner_split_that_reaches_the_outer_test_set()
    {
        var plan = new SplitPlan("kfold", 1, [Fold(0, Ids("p1"), new Split(Ids("p2", "p3"), ["p4-a", "p1-b"]))]);
        var problems = LeakageAudit.Check(plan, Four, grouped: false, exhaustive: false);
        Assert.Contains(problems, p => p.Contains("inner split 0") && p.Contains("reachable") && p.Contains("p1-b"));
        Assert.Contains(problems, p => p.Contains("outside the outer-train set"));
    }

    [Fact]
    public void Audit_reports_a_patient_on_both_sides_of_an_inner_split()
    {
        var plan = new SplitPlan("kfold", 1, [Fold(0, Ids("p1"), new Split(["p2-a", "p3-a", "p3-b"], ["p2-b", "p4-a", "p4-b"]))]);
        var problems = LeakageAudit.Check(plan, Four, grouped: true, exhaustive: false);
        var p = Assert.Single(problems);
        Assert.Contains("inner split 0", p);
        Assert.Contains("patients on both validation and train", p);
        Assert.Contains("p2", p);
        Assert.Empty(LeakageAudit.Check(plan, Four, grouped: false, exhaustive: false));
    }

    [Fact]
    public void Audit_reports_samples_tested_twice_or_never_when_exhaustive()
    {
        var plan = new SplitPlan("kfold", 1, [
            Fold(0, Ids("p1", "p2"), new Split(Ids("p3"), Ids("p4"))),
            Fold(1, Ids("p2", "p3"), new Split(Ids("p1"), Ids("p4"))),
        ]);
        var problems = LeakageAudit.Check(plan, Four, grouped: true, exhaustive: true);
        Assert.Contains(problems, p => p.Contains("'p2-a'") && p.Contains("2 times"));
        Assert.Contains(problems, p => p.Contains("'p4-b'") && p.Contains("0 times"));
        Assert.DoesNotContain(problems, p => p.Contains("'p1-a'"));
        Assert.Empty(LeakageAudit.Check(plan, Four, grouped: true, exhaustive: false));
    }

    [Fact]
    public void Audit_reports_a_fold_that_does_not_cover_the_dataset()
    {
        var plan = new SplitPlan("kfold", 1, [new OuterFold(0, "0", Ids("p1"), Ids("p2", "p3"), [new Split(Ids("p2"), Ids("p3"))])]);
        var problems = LeakageAudit.Check(plan, Four, grouped: true, exhaustive: false);
        Assert.Contains(problems, p => p.Contains("do not cover the dataset"));
    }
}
