using Nachos.Shared.Spec;
using Nachos.Shared.SpecLoading;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

/// <summary><c>training.augmentation.policy</c> and the <c>augmentation_policy</c> tunable.</summary>
public sealed class AugmentationPolicySpecTests : IDisposable
{
    private readonly TempDir _dir = new();

    public AugmentationPolicySpecTests() => _dir.Write("data.csv", "image,label,patient\na.png,neg,p1\nb.png,pos,p2\n");

    public void Dispose() => _dir.Dispose();

    private static string Spec(string augmentation, string search = "") => $"""
        name: t1
        task: binary
        dataset: {"{"} manifest: data.csv, classes: [neg, pos], group_column: patient {"}"}
        training:
          augmentation: {augmentation}
        {search}
        """;

    private StudySpec Load(string yaml) => SpecLoader.LoadFile(_dir.Write("spec.yaml", yaml));

    private SpecError Error(string yaml) =>
        Assert.Single(Assert.Throws<SpecException>(() => SpecLoader.LoadFile(_dir.Write("spec.yaml", yaml))).Errors);

    [Fact]
    public void The_policy_defaults_to_none_and_strong_goes_with_the_geometric_augmentation()
    {
        Assert.Equal(AugmentationPolicy.None, Load(Spec("{ horizontal_flip: true }")).Training.Augmentation.Policy);
        var a = Load(Spec("{ horizontal_flip: true, rotation_degrees: 10, policy: strong }")).Training.Augmentation;
        Assert.Equal(new AugmentationSpec(true, false, 10, 1, 0, 0, AugmentationPolicy.Strong), a);
        Assert.True((AugmentationSpec.None with { Policy = AugmentationPolicy.Strong }).Any);
        Assert.Equal(AugmentationPolicy.None, Load(Spec("{ policy: none }")).Training.Augmentation.Policy);
    }

    [Fact]
    public void An_unknown_policy_is_named_with_the_accepted_values()
    {
        var e = Error(Spec("{ policy: randaugment }"));
        Assert.Equal("training.augmentation.policy", e.Path);
        Assert.Contains("unknown value 'randaugment'; expected one of: none, strong", e.Message);
    }

    [Fact]
    public void The_policy_is_a_categorical_tunable()
    {
        var spec = Load(Spec("{ horizontal_flip: true }", """
            search:
              trials: 2
              space:
                augmentation_policy: { type: categorical, values: [none, strong] }
            """));
        var p = Assert.Single(spec.Search.Space);
        Assert.Equal(["none", "strong"], p.Values);
        var (_, training) = Hyperparameters.Empty.With("augmentation_policy", "strong").ApplyTo(spec.Model, spec.Training);
        Assert.Equal(spec.Training.Augmentation with { Policy = AugmentationPolicy.Strong }, training.Augmentation);

        var e = Error(Spec("{ horizontal_flip: true }", """
            search:
              trials: 2
              space:
                augmentation_policy: { type: categorical, values: [none, weak] }
            """));
        Assert.Equal("search.space.augmentation_policy.values", e.Path);
        Assert.Contains("'weak' is not a valid augmentation_policy; expected one of: none, strong", e.Message);
        var numeric = Error(Spec("{ horizontal_flip: true }", """
            search:
              trials: 2
              space:
                augmentation_policy: { type: uniform, low: 0, high: 1 }
            """));
        Assert.Equal("search.space.augmentation_policy.type", numeric.Path);
        Assert.Contains("augmentation_policy takes categorical values only", numeric.Message);
    }
}
