using System.Globalization;
using CsvHelper;
using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

public sealed class StudySimulatedTrainerTests
{
    private static readonly SimulatedSpec NoFailures = new(SecondsPerEpoch: 0, FailureRate: 0);

    /// <summary>Binary: samples s0..s{n−1}, each its own patient; odd samples are lesions.</summary>
    private static Manifest Binary(int n) => new("sim", TaskKind.Binary, ["normal", "lesion"],
        Enumerable.Range(0, n).Select(i => new Sample($"s{i}", i + 2, $"/data/s{i}.png", [i % 2], null, $"s{i}", "site0", null)).ToArray());

    /// <summary>Multi-label with two labels, all four combinations equally often.</summary>
    private static Manifest Multilabel(int n) => new("sim", TaskKind.Multilabel, ["a", "b"],
        Enumerable.Range(0, n).Select(i => new Sample($"s{i}", i + 2, $"/data/s{i}.png", [i % 2, (i / 2) % 2], null, $"s{i}", "site0", null)).ToArray());

    private static Hyperparameters Lr(double lr) => Hyperparameters.Empty.With("learning_rate", lr).With("optimizer", "adam");

    private static readonly double BestLr = Math.Pow(10, -2.5);

    private static TrainingTask Task(string id, Manifest m, string dir, Hyperparameters hp, int train, int validation, int test, int maxEpochs = 10, int seed = 3)
    {
        var ids = m.Samples.Select(s => s.Id).ToList();
        return new TrainingTask(id, ids.Take(train).ToList(), ids.Skip(train).Take(validation).ToList(), ids.Skip(train + validation).Take(test).ToList(),
            hp, maxEpochs, seed, Path.Combine(dir, id.Replace('/', '_')));
    }

    private static List<Dictionary<string, string>> ReadPredictions(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        csv.Read();
        csv.ReadHeader();
        var header = csv.HeaderRecord!;
        var rows = new List<Dictionary<string, string>>();
        while (csv.Read()) rows.Add(header.ToDictionary(h => h, h => csv.GetField(h)!));
        return rows;
    }

    /// <summary>AUROC by definition: the share of (positive, negative) pairs ranked right, ties counting one half.</summary>
    private static double PairwiseAuroc(IReadOnlyList<(double Score, bool Positive)> items)
    {
        var pos = items.Where(x => x.Positive).Select(x => x.Score).ToArray();
        var neg = items.Where(x => !x.Positive).Select(x => x.Score).ToArray();
        double wins = 0;
        foreach (var p in pos)
            foreach (var q in neg)
                wins += p > q ? 1 : p == q ? 0.5 : 0;
        return wins / ((double)pos.Length * neg.Length);
    }

    [Fact]
    public void Same_task_gives_the_same_result_and_the_same_predictions_file()
    {
        using var dir = new TempDir();
        var m = Binary(60);
        var a = Task("sim/o0/t1/s0", m, dir.File("a"), Lr(0.01), 30, 15, 15);
        var b = a with { Directory = dir.File("b") };

        var ra = SimulatedTrainer.Run(a, m, NoFailures, 1, CancellationToken.None);
        var rb = SimulatedTrainer.Run(b, m, NoFailures, 1, CancellationToken.None);

        Assert.Equal(ra.TaskId, rb.TaskId);
        Assert.Equal(ra.BestEpoch, rb.BestEpoch);
        Assert.Equal(ra.EpochsRun, rb.EpochsRun);
        Assert.Equal(ra.ValidationLoss, rb.ValidationLoss);
        Assert.Equal(ra.ValidationMetrics.OrderBy(kv => kv.Key), rb.ValidationMetrics.OrderBy(kv => kv.Key));
        Assert.Equal(ra.TestMetrics.OrderBy(kv => kv.Key), rb.TestMetrics.OrderBy(kv => kv.Key));
        Assert.Equal(File.ReadAllBytes(Path.Combine(a.Directory, ra.Predictions)), File.ReadAllBytes(Path.Combine(b.Directory, rb.Predictions)));
        // A retry (another attempt) of a task that succeeds ends with the same result too.
        var rc = SimulatedTrainer.Run(a with { Directory = dir.File("c") }, m, NoFailures, 2, CancellationToken.None);
        Assert.Equal(ra.TestMetrics.OrderBy(kv => kv.Key), rc.TestMetrics.OrderBy(kv => kv.Key));
        Assert.Equal(File.ReadAllBytes(Path.Combine(a.Directory, ra.Predictions)), File.ReadAllBytes(Path.Combine(dir.File("c"), rc.Predictions)));
    }

    [Fact]
    public void Epochs_respect_the_budget_and_a_refit_trains_all_of_them()
    {
        using var dir = new TempDir();
        var m = Binary(40);
        for (var k = 0; k < 10; k++)
        {
            var r = SimulatedTrainer.Run(Task($"sim/o0/t{k}/s0", m, dir.Path, Lr(0.01), 20, 10, 0, maxEpochs: 7), m, NoFailures, 1, CancellationToken.None);
            Assert.InRange(r.BestEpoch, 1, 7);
            Assert.InRange(r.EpochsRun, r.BestEpoch, 7);
            Assert.NotNull(r.ValidationLoss);
            Assert.Empty(r.TestMetrics);
        }

        var refit = SimulatedTrainer.Run(Task("sim/o0/refit", m, dir.Path, Lr(0.01), 30, 0, 10, maxEpochs: 7), m, NoFailures, 1, CancellationToken.None);
        Assert.Equal(7, refit.BestEpoch);
        Assert.Equal(7, refit.EpochsRun);
        Assert.Null(refit.ValidationLoss);
        Assert.Empty(refit.ValidationMetrics);
        Assert.Equal(SpecNames.ImageMetrics.Order(StringComparer.Ordinal), refit.TestMetrics.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Quality_peaks_at_learning_rate_ten_to_the_minus_two_and_a_half()
    {
        foreach (var seed in new[] { 0, 1, 12345, int.MaxValue })
        {
            var best = SimulatedTrainer.Quality(Lr(BestLr), seed);
            Assert.True(best > SimulatedTrainer.Quality(Lr(1e-1), seed) + 0.1, $"seed {seed}");
            Assert.True(best > SimulatedTrainer.Quality(Lr(1e-4), seed) + 0.1, $"seed {seed}");
            // Over a grid of log10(lr) from −5 to 0 in steps of 0.1 the maximum is at −2.5.
            var grid = Enumerable.Range(0, 51).Select(i => -5 + i / 10.0).ToList();
            var argmax = grid.MaxBy(x => SimulatedTrainer.Quality(Lr(Math.Pow(10, x)), seed));
            Assert.Equal(-2.5, argmax, 9);
            // Quality is an AUROC target: in (0.5, 1).
            Assert.All(grid, x => Assert.InRange(SimulatedTrainer.Quality(Lr(Math.Pow(10, x)), seed), 0.5, 1.0));
        }
    }

    [Fact]
    public void A_task_lasts_its_epochs_times_seconds_per_epoch_and_can_be_cancelled()
    {
        using var dir = new TempDir();
        var m = Binary(40);
        var refit = Task("sim/o0/refit", m, dir.Path, Lr(0.01), 30, 0, 10, maxEpochs: 3);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = SimulatedTrainer.Run(refit, m, new SimulatedSpec(0.05, 0), 1, CancellationToken.None);
        Assert.Equal(3, r.EpochsRun);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.15), $"{clock.Elapsed.TotalSeconds} s for 3 epochs of 0.05 s");
        Assert.True(r.Seconds >= 0.15, $"{r.Seconds} s reported");

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        Assert.ThrowsAny<OperationCanceledException>(() =>
            SimulatedTrainer.Run(refit with { TaskId = "sim/o1/refit" }, m, new SimulatedSpec(10, 0), 1, cancel.Token));
    }

    [Fact]
    public void Failure_rate_near_one_fails_the_attempt()
    {
        using var dir = new TempDir();
        var m = Binary(20);
        var sim = new SimulatedSpec(0, 0.999);
        for (var k = 0; k < 5; k++)
        {
            var task = Task($"sim/o1/t{k}/s0", m, dir.Path, Lr(0.01), 10, 5, 5);
            var e = Assert.Throws<SimulatedFailureException>(() => SimulatedTrainer.Run(task, m, sim, 1, CancellationToken.None));
            Assert.Contains(task.TaskId, e.Message);
        }
    }

    [Fact]
    public void Each_attempt_draws_its_failure_anew()
    {
        using var dir = new TempDir();
        var m = Binary(8);
        var sim = new SimulatedSpec(0, 0.5);
        bool Fails(TrainingTask t, int attempt)
        {
            try { SimulatedTrainer.Run(t, m, sim, attempt, CancellationToken.None); return false; }
            catch (SimulatedFailureException) { return true; }
        }

        var tasks = Enumerable.Range(0, 80).Select(k => Task($"sim/o0/t{k}/s{k % 3}", m, dir.Path, Lr(0.01), 4, 2, 2, maxEpochs: 3)).ToList();
        var first = tasks.Select(t => Fails(t, 1)).ToList();
        var second = tasks.Select(t => Fails(t, 2)).ToList();

        // About half of the attempts fail (80 draws at p = 0.5: 25..55 is > 99.9 % likely).
        Assert.InRange(first.Count(f => f), 25, 55);
        Assert.InRange(second.Count(f => f), 25, 55);
        // Some fail on attempt 1 and succeed on attempt 2, and the other way round.
        Assert.Contains(Enumerable.Range(0, tasks.Count), i => first[i] && !second[i]);
        Assert.Contains(Enumerable.Range(0, tasks.Count), i => !first[i] && second[i]);
        // The same attempt fails the same way every time.
        Assert.Equal(first, tasks.Select(t => Fails(t, 1)));
    }

    [Fact]
    public void No_failures_without_a_failure_rate()
    {
        using var dir = new TempDir();
        var m = Binary(8);
        for (var k = 0; k < 30; k++)
            SimulatedTrainer.Run(Task($"sim/o0/t{k}/s0", m, dir.Path, Lr(0.01), 4, 2, 2, maxEpochs: 3), m, NoFailures, 1, CancellationToken.None);
    }

    [Fact]
    public void Test_metrics_are_computed_on_the_test_ids_and_written_to_predictions()
    {
        using var dir = new TempDir();
        var m = Binary(600);
        var task = Task("sim/o2/t0/s1", m, dir.Path, Lr(BestLr), 200, 100, 300);

        var r = SimulatedTrainer.Run(task, m, NoFailures, 1, CancellationToken.None);

        var rows = ReadPredictions(Path.Combine(task.Directory, r.Predictions));
        var test = rows.Where(x => x["set"] == "test").ToList();
        var validation = rows.Where(x => x["set"] == "validation").ToList();
        Assert.Equal(task.Test, test.Select(x => x["sample_id"]));
        Assert.Equal(task.Validation, validation.Select(x => x["sample_id"]));
        Assert.Equal(rows.Count, test.Count + validation.Count); // no training rows
        Assert.All(rows, x => Assert.Equal(m.Classes[m.ById[x["sample_id"]].Labels[0]], x["true"]));
        Assert.All(rows, x => Assert.Equal(1.0, double.Parse(x["p_normal"], CultureInfo.InvariantCulture) + double.Parse(x["p_lesion"], CultureInfo.InvariantCulture), 9));

        // Test AUROC and accuracy recomputed from the file's test rows, by definition.
        var scored = test.Select(x => (Score: double.Parse(x["p_lesion"], CultureInfo.InvariantCulture), Positive: x["true"] == "lesion")).ToList();
        Assert.Equal(PairwiseAuroc(scored), r.TestMetrics["auroc"]!.Value, 9);
        Assert.Equal(scored.Count(x => (x.Score >= 0.5) == x.Positive) / (double)scored.Count, r.TestMetrics["accuracy"]!.Value, 9);
        var valScored = validation.Select(x => (Score: double.Parse(x["p_lesion"], CultureInfo.InvariantCulture), Positive: x["true"] == "lesion")).ToList();
        Assert.Equal(PairwiseAuroc(valScored), r.ValidationMetrics["auroc"]!.Value, 9);

        // Near the best learning rate the model is good, and better than far from it.
        Assert.True(r.TestMetrics["auroc"] > 0.9, $"test AUROC {r.TestMetrics["auroc"]}");
        var poor = SimulatedTrainer.Run(task with { Hyperparameters = Lr(1e-6), Directory = dir.File("poor") }, m, NoFailures, 1, CancellationToken.None);
        Assert.True(poor.TestMetrics["auroc"] < r.TestMetrics["auroc"] - 0.05, $"poor {poor.TestMetrics["auroc"]} vs best {r.TestMetrics["auroc"]}");
        Assert.True(poor.ValidationLoss > r.ValidationLoss);
    }

    // The class documents: "per-sample scores are drawn so their AUROC matches that quality".

    [Fact]
    public void Multilabel_test_auroc_matches_the_quality()
    {
        using var dir = new TempDir();
        var m = Multilabel(2000);
        var hp = Lr(1e-1);
        var quality = SimulatedTrainer.Quality(hp, 0); // ± 0.005 task noise

        var r = SimulatedTrainer.Run(Task("sim/o0/refit", m, dir.Path, hp, 0, 0, 2000), m, NoFailures, 1, CancellationToken.None);

        Assert.InRange(quality, 0.7, 0.8);
        Assert.InRange(r.TestMetrics["auroc"]!.Value, quality - 0.035, quality + 0.035);
    }

    [Fact]
    public void Binary_test_auroc_matches_the_quality()
    {
        using var dir = new TempDir();
        var m = Binary(2000);
        var hp = Lr(1e-1);
        var quality = SimulatedTrainer.Quality(hp, 0); // ± 0.005 task noise

        var r = SimulatedTrainer.Run(Task("sim/o0/refit", m, dir.Path, hp, 0, 0, 2000), m, NoFailures, 1, CancellationToken.None);

        Assert.InRange(quality, 0.7, 0.8);
        // Fails now: both logits get unit noise and the true one +δ with δ = √2·Φ⁻¹(q), so p_lesion ranks by
        // l1 − l0 ~ N(±δ, 2) and the AUROC is Φ(δ) = Φ(√2·Φ⁻¹(q)) ≈ 0.82 for q ≈ 0.745, not q.
        Assert.InRange(r.TestMetrics["auroc"]!.Value, quality - 0.035, quality + 0.035);
    }
}
