using Nachos.Actors.Registry;
using Nachos.Shared.Bundle;
using Nachos.Shared.Predictions;
using Nachos.Shared.Registry;
using Nachos.Shared.Spec;
using Nachos.Tests;

namespace Nachos.Actors.Tests;

/// <summary>
/// The registry's store on a real SQLite file and a real PostgreSQL server: models, champion and history survive reopening
/// the database, and two promotions racing on separate connections never leave a worse champion.
/// </summary>
public sealed class RegistryStoreTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const string Task = "lesion-detection";
    private static readonly string[] Classes = ["benign", "malignant"];

    /// <summary>Binary predictions on 40 images, wrong (at 0.5) on the first <paramref name="wrong"/>: accuracy 1 − wrong/40.</summary>
    private static ModelEvaluation Wrong(int wrong)
    {
        var rows = Enumerable.Range(0, 40).Select(i =>
        {
            var p = (i % 2 == 1) == (i < wrong) ? 0.3 : 0.7;
            return new PredictionRow($"img{i:D2}", "predict", [i % 2], [1 - p, p]);
        }).ToList();
        return ModelEvaluation.Of("eval.csv", "eval", TaskKind.Binary, Classes, new PredictionsTable(Classes, [], rows), 0.5);
    }

    private static RegisteredModel Add(RegistryStore store, ModelEvaluation evaluation, string bundle) =>
        store.Register(new RegistryStore.NewModel(Task, new string('a', 64), TaskKind.Binary, Classes, "study", "study/o0/refit", 0,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow, "tester", evaluation, new ExpectedPerformance("test", 3, true, [])), v => $"{bundle}-v{v}.zip");

    private static PromotionRecord Promote(RegistryStore store, long id) =>
        store.Promote(id, "tester", DateTimeOffset.UtcNow, (champion, challenger, same) => PromotionRule.Decide(champion, challenger, same, "accuracy", 0.05))!;

    private static void Survives(Func<RegistryStore> open)
    {
        long weak, strong, worse;
        {
            var store = open();
            weak = Add(store, Wrong(20), "weak").Id;
            strong = Add(store, Wrong(0), "strong").Id;
            worse = Add(store, Wrong(12), "worse").Id;
            Assert.Equal(PromotionOutcome.Promoted, Promote(store, weak).Outcome);
            Assert.Equal(PromotionOutcome.Promoted, Promote(store, strong).Outcome);
            Assert.Equal(PromotionOutcome.NotBetter, Promote(store, worse).Outcome);
        }
        var reopened = open();
        var models = reopened.List(Task);
        Assert.Equal([1, 2, 3], models.Select(m => m.Version));
        Assert.Equal("strong-v2.zip", models[1].Bundle);
        Assert.Equal(1.0, models[1].Metrics["accuracy"]);
        Assert.Equal(40, models[1].EvalImages);
        Assert.Equal(strong, reopened.Champion(Task));
        var history = reopened.History(Task);
        Assert.Equal([PromotionOutcome.Promoted, PromotionOutcome.Promoted, PromotionOutcome.NotBetter], history.Select(h => h.Outcome));
        Assert.Equal([null, weak, strong], history.Select(h => h.PreviousId));
        Assert.StartsWith("paired bootstrap", history[1].Test);
        Assert.True(history[1].P < 0.05 && history[2].P >= 0.05);
        Assert.Equal(Wrong(0).Rows, reopened.Evaluation(strong).Rows, new RowComparer());
        Assert.Equal([Task], reopened.TaskNames());
    }

    [Fact]
    public void The_registry_survives_reopening_its_SQLite_file()
    {
        using var dir = new TempDir();
        Survives(() => RegistryStore.Sqlite(dir.File("journal.db")));
    }

    [Fact]
    public void The_registry_survives_reopening_its_PostgreSQL_database()
    {
        var connection = postgres.CreateDatabase("registry_restart");
        Survives(() => RegistryStore.Postgres(connection));
    }

    private static void RacingPromotionsNeverDowngradeOnce(Func<RegistryStore> open, int round)
    {
        var setup = open();
        var c = Add(setup, Wrong(20), "c").Id;
        var b = Add(setup, Wrong(10), "b").Id;
        var a = Add(setup, Wrong(0), "a").Id;
        Assert.Equal(PromotionOutcome.Promoted, Promote(setup, c).Outcome);
        using var start = new Barrier(2);
        var threads = new[] { a, b }.Select(id => new Thread(() =>
        {
            var store = open();
            start.SignalAndWait();
            Promote(store, id);
        })).ToList();
        // Alternate which thread is started first.
        if (round % 2 == 1) threads.Reverse();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        var check = open();
        Assert.Equal(a, check.Champion(Task));
        var accuracy = check.List(Task).ToDictionary(m => m.Id, m => m.Metrics["accuracy"]!.Value);
        long? champion = null;
        var history = check.History(Task);
        Assert.Equal(3, history.Count);
        foreach (var h in history)
        {
            // Every attempt was decided against the champion of its moment, and every promotion improved on it.
            Assert.Equal(champion, h.PreviousId);
            if (h.Outcome != PromotionOutcome.Promoted) continue;
            if (champion is { } previous) Assert.True(accuracy[h.ModelId] > accuracy[previous]);
            champion = h.ModelId;
        }
        Assert.Equal(a, champion);
    }

    /// <summary>
    /// Champion C (accuracy 0.5), then B (0.75) and A (1.0) promoted at once from two threads, each on its own connection:
    /// whichever order the database lets them in, A ends as champion and no promotion replaced a better champion.
    /// Without the lock both would be compared with C and the later write could leave B. Four rounds each.
    /// </summary>
    [Fact]
    public void Two_racing_promotions_never_downgrade_on_SQLite()
    {
        for (var i = 0; i < 4; i++)
        {
            using var dir = new TempDir();
            RacingPromotionsNeverDowngradeOnce(() => RegistryStore.Sqlite(dir.File("journal.db")), i);
        }
    }

    [Fact]
    public void Two_racing_promotions_never_downgrade_on_PostgreSQL()
    {
        for (var i = 0; i < 4; i++)
        {
            var connection = postgres.CreateDatabase($"registry_race_{i}");
            RacingPromotionsNeverDowngradeOnce(() => RegistryStore.Postgres(connection), i);
        }
    }

    private sealed class RowComparer : IEqualityComparer<PredictionRow>
    {
        public bool Equals(PredictionRow? x, PredictionRow? y) =>
            x!.SampleId == y!.SampleId && x.Set == y.Set && x.Labels.SequenceEqual(y.Labels) && x.Probabilities.SequenceEqual(y.Probabilities);
        public int GetHashCode(PredictionRow obj) => obj.SampleId.GetHashCode();
    }
}
