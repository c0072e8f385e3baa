using Nachos.Shared.Search;
using Nachos.Tests;
using Nachos.Shared.Spec;
using Nachos.Shared.SpecLoading;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using static Nachos.Shared.Tests.SyntheticManifest;

namespace Nachos.Shared.Tests;

/// <summary>DACHOS's deploy fold: the spec's <c>deploy:</c> section, its split, and how a study runs it after the outer folds.</summary>
public sealed class DeployFoldTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static SplitSpec Split(int outer = 3, int inner = 2) => new(SplitScheme.KFold, outer, inner, 0.2, true, true);

    [Fact]
    public void The_deploy_fold_trains_on_every_image_and_its_inner_folds_validate_each_patient_once()
    {
        for (var seed = 0; seed < 30; seed++)
        {
            var rng = new Random(seed);
            var m = ByPatient(rng, rng.Next(12, 40), 2);
            var plan = SplitPlanner.Plan(m, Split(), seed, deploy: true);
            var deploy = plan.Deploy!;
            Assert.Equal(plan.Outer.Count, deploy.Index);
            Assert.Empty(deploy.Test);
            Assert.True(m.Samples.Select(s => s.Id).ToHashSet().SetEquals(deploy.Train), $"seed {seed}: the deploy fold does not train on all data");
            Assert.Equal(2, deploy.Inner.Count);
            var validated = deploy.Inner.SelectMany(s => s.Validation).ToList();
            Assert.Equal(m.Samples.Count, validated.Count);
            Assert.Equal(m.Samples.Count, validated.Distinct().Count());
            foreach (var split in deploy.Inner)
            {
                var trainPatients = split.Train.Select(id => m.ById[id].Group).ToHashSet();
                Assert.DoesNotContain(split.Validation, id => trainPatients.Contains(m.ById[id].Group));
                Assert.Equal(m.Samples.Count, split.Train.Count + split.Validation.Count);
            }
            // The outer folds are those of the same plan without deploy.
            var without = SplitPlanner.Plan(m, Split(), seed);
            Assert.Equal(without.Hash, (plan with { Deploy = null }).Hash);
            Assert.NotEqual(without.Hash, plan.Hash);
            Assert.Same(deploy, plan.Fold(plan.DeployIndex));
            Assert.Same(plan.Outer[1], plan.Fold(1));
            Assert.Equal(without.Outer.Select(f => f.Inner.Count).Append(2), plan.InnerSplitsPerFold);
        }
    }

    [Fact]
    public void A_plan_without_deploy_writes_no_deploy_key_so_existing_plans_keep_their_hash_and_one_with_it_round_trips()
    {
        var m = ByPatient(new Random(3), 20, 2);
        var without = SplitPlanner.Plan(m, Split(), 3);
        without.Write(_dir.File("plain.json"));
        Assert.DoesNotContain("deploy", File.ReadAllText(_dir.File("plain.json")));
        Assert.Throws<ArgumentOutOfRangeException>(() => without.Fold(without.DeployIndex));

        var with = SplitPlanner.Plan(m, Split(), 3, deploy: true);
        var hash = with.Write(_dir.File("deploy.json"));
        var read = SplitPlan.Read(_dir.File("deploy.json"));
        Assert.Equal(hash, read.Hash);
        Assert.Equal(with.Deploy!.Train, read.Deploy!.Train);
    }

    [Fact]
    public void The_audit_refuses_a_deploy_fold_with_a_test_set_or_a_patient_on_both_sides_of_an_inner_split()
    {
        var m = ByPatient(new Random(4), 20, 2);
        var plan = SplitPlanner.Plan(m, Split(), 4, deploy: true);
        Assert.Empty(LeakageAudit.Check(plan, m, grouped: true, exhaustive: true));

        var withTest = plan with { Deploy = plan.Deploy! with { Test = [m.Samples[0].Id] } };
        Assert.Contains(LeakageAudit.Check(withTest, m, grouped: true, exhaustive: true), p => p.Contains("the deploy fold: has a test set"));

        var first = plan.Deploy!.Inner[0];
        var moved = first.Validation[0];
        var leaky = plan with { Deploy = plan.Deploy with { Inner = [first with { Train = first.Train.Append(moved).ToList() }, .. plan.Deploy.Inner.Skip(1)] } };
        Assert.Contains(LeakageAudit.Check(leaky, m, grouped: true, exhaustive: true), p => p.StartsWith("the deploy fold, inner split 0"));
    }

    [Fact]
    public void A_study_with_a_deploy_fold_starts_it_after_the_outer_folds_and_finishes_only_when_it_has_reported()
    {
        var brief = new StudyBrief([2, 2, 2], new SearchSpec(SamplerKind.Random, 4, 2, "auroc", [], 3), 10, 5, 1, 0.5, DeploySplits: 3);
        var study = StudyState.Empty.Apply(new StudyStarted("st", 3, brief));
        var start = Assert.IsType<StartFolds>(study.Decide());
        Assert.Equal([0, 1, 2, 3], start.Folds.Select(f => f.Outer));
        Assert.Equal(3, start.Folds[3].Splits);
        foreach (var k in new[] { 0, 1, 2 })
            study = study.Apply(study.Accept(new FoldResult(k, 0, null, 0.8, 0.01, 3, new Dictionary<string, double?>(), [], null))!);
        Assert.False(study.AllReported);
        Assert.Equal([3], Assert.IsType<StartFolds>(study.Decide()).Folds.Select(f => f.Outer));
        study = study.Apply(study.Accept(new FoldResult(3, 0, null, 0.8, 0.01, 3, new Dictionary<string, double?>(), [], null))!);
        Assert.True(study.AllReported);
        Assert.IsType<BuildReport>(study.Decide());

        // A brief journalled without the field (every study before deploy existed) has no deploy fold.
        var json = System.Text.Json.JsonSerializer.Serialize(brief with { DeploySplits = null }, Nachos.Shared.Files.FileJson.Options);
        Assert.DoesNotContain("deploy", json);
    }

    [Fact]
    public void A_deploy_run_takes_the_finished_studys_outer_folds_as_reported_and_starts_only_the_deploy_fold()
    {
        FoldResult Result(int k, double score) => new(k, 0, null, score, 0.01, 3, new Dictionary<string, double?> { ["auroc"] = score }, [], null);
        var inherited = new[] { Result(0, 0.81), Result(1, 0.82), Result(2, 0.83) };
        var brief = new StudyBrief([2, 2, 2], new SearchSpec(SamplerKind.Random, 4, 2, "auroc", [], 3), 10, 5, 1, 0.5, DeploySplits: 3, Inherited: inherited);
        var study = StudyState.Empty.Apply(new StudyStarted("st", 3, brief));
        Assert.Equal([3], Assert.IsType<StartFolds>(study.Decide()).Folds.Select(f => f.Outer));
        Assert.Equal<FoldResult>(inherited, study.Folds.Values.OrderBy(f => f.Outer).ToList());
        // An outer fold cannot report again: it is the finished study's, unchanged.
        Assert.Null(study.Accept(Result(1, 0.5)));
        study = study.Apply(study.Accept(Result(3, 0.9))!);
        Assert.True(study.AllReported);
        Assert.IsType<BuildReport>(study.Decide());
        Assert.Equal(0.82, study.Folds[1].InnerScore);

        // Journalled, the brief carries them, so a restart replays the same state.
        var json = System.Text.Json.JsonSerializer.Serialize(new StudyStarted("st", 3, brief));
        var replayed = StudyState.Empty.Apply(System.Text.Json.JsonSerializer.Deserialize<StudyStarted>(json)!);
        Assert.Equal([3], Assert.IsType<StartFolds>(replayed.Decide()).Folds.Select(f => f.Outer));
        Assert.Equal(0.83, replayed.Folds[2].InnerScore);
    }

    private const string Spec = """
        name: t1
        task: binary
        dataset: { manifest: data.csv, classes: [neg, pos], group_column: patient }
        """;

    [Fact]
    public void The_deploy_section_defaults_to_all_data_offers_the_fold_ensemble_and_refuses_what_cannot_be_or_is_unknown()
    {
        _dir.Write("data.csv", "image,label,patient\na.png,neg,p1\nb.png,pos,p2\n");
        StudySpec Load(string extra) => SpecLoader.LoadFile(_dir.Write("spec.yaml", Spec + "\n" + extra + "\n"));

        Assert.Null(Load("").Deploy);
        Assert.Equal(FinalModelKind.AllData, Load("deploy: {}").Deploy!.Final);
        Assert.Equal(FinalModelKind.AllData, Load("deploy: { final: all-data }").Deploy!.Final);

        Assert.Equal(FinalModelKind.FoldEnsemble, Load("deploy: { final: fold-ensemble }").Deploy!.Final);
        Assert.False(Load("deploy: { final: fold-ensemble }").Deploy!.TrainsAllData); // no deploy fold: no extra training
        Assert.True(Load("deploy: { final: both }").Deploy!.TrainsAllData);
        Assert.True(Load("deploy: { final: both }").Deploy!.OffersEnsemble);
        Assert.False(Load("deploy: {}").Deploy!.OffersEnsemble);

        var holdout = Assert.Throws<SpecException>(() => Load("split: { scheme: holdout }\ndeploy: { final: fold-ensemble }"));
        var e = Assert.Single(holdout.Errors);
        Assert.Equal("deploy.final", e.Path);
        Assert.Contains("split scheme holdout has one outer fold", e.Message);
        Assert.Equal(FinalModelKind.AllData, Load("split: { scheme: holdout }\ndeploy: { final: all-data }").Deploy!.Final);

        var unknown = Assert.Single(Assert.Throws<SpecException>(() => Load("deploy: { final: best }")).Errors);
        Assert.Contains("unknown value 'best'", unknown.Message);
        var key = Assert.Single(Assert.Throws<SpecException>(() => Load("deploy: { finale: all-data }")).Errors);
        Assert.Equal("deploy.finale", key.Path);
    }
}
