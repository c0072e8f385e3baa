using Nachos.Shared.Spec;
using Nachos.Shared.SpecLoading;

namespace Nachos.Shared.Tests;

/// <summary>YAML that does not parse, and specs whose parts contradict each other: one clear error each, never a crash.</summary>
public sealed class SpecSyntaxTests : IDisposable
{
    private readonly TempDir _dir = new();

    public SpecSyntaxTests() => _dir.Write("data.csv", "image,label\na.png,neg\nb.png,pos\n");

    public void Dispose() => _dir.Dispose();

    private const string Dataset = "dataset:\n  manifest: data.csv\n  classes: [neg, pos]\n";

    private SpecError Single(string yaml)
    {
        var path = _dir.Write("spec.yaml", yaml);
        var e = Assert.Throws<SpecException>(() => SpecLoader.LoadFile(path));
        Assert.StartsWith(path, e.Message);
        return Assert.Single(e.Errors);
    }

    [Fact]
    public void An_unclosed_bracket_spanning_lines_is_reported_at_the_bracket()
    {
        // YamlDotNet's scanner throws InvalidOperationException, without a position, on this one.
        var error = Single("dataset:\n  manifest: data.csv\n  classes: [neg, pos\nimage: { size: 16 }\nsecret: canary-value\n");
        Assert.Equal(new SpecError("(yaml)", 3, "this '[' is never closed", 12), error);
        Assert.Equal("line 3, column 12: (yaml): this '[' is never closed", error.ToString());
    }

    [Fact]
    public void Renaming_a_spec_with_an_unclosed_bracket_leaves_it_for_the_loader_to_report()
    {
        const string yaml = "dataset:\n  manifest: data.csv\n  classes: [neg, pos\nimage: { size: 16 }\n";
        Assert.Equal(yaml, SpecText.WithName(yaml, "renamed"));
    }

    [Fact]
    public void An_unclosed_brace_spanning_lines_is_reported_at_the_brace()
    {
        var error = Single(Dataset + "image: { size: 16,\n  channels: 1\nsplit:\n  outer_folds: 3\n");
        Assert.Equal((4, 8), (error.Line, error.Column));
        Assert.Contains("'{' is never closed", error.Message);
    }

    [Fact]
    public void A_syntax_error_names_line_and_column()
    {
        var error = Single(Dataset + "image: { size: 16\n");
        Assert.Equal("(yaml)", error.Path);
        Assert.True(error.Line > 0 && error.Column > 0, error.ToString());
    }

    [Fact]
    public void A_second_document_is_refused_at_its_separator()
    {
        var error = Single(Dataset + "---\nname: other\n");
        Assert.Equal(4, error.Line);
        Assert.Contains("a second YAML document", error.Message);
    }

    [Fact]
    public void A_leading_document_marker_is_one_document()
    {
        var path = _dir.Write("spec.yaml", "---\n" + Dataset);
        Assert.Equal(["neg", "pos"], SpecLoader.LoadFile(path).Dataset.Classes);
    }

    [Fact]
    public void A_spec_file_that_cannot_be_read_is_a_spec_error()
    {
        // It exists, but reading it fails (EIO at offset 0).
        var e = Assert.Throws<SpecException>(() => SpecLoader.LoadFile("/proc/self/mem"));
        Assert.Contains("cannot read the spec file /proc/self/mem", e.Message);
    }

    [Fact]
    public void Trials_over_an_empty_search_space_are_refused()
    {
        var error = Single(Dataset + "search:\n  trials: 8\n");
        Assert.Equal("search.trials", error.Path);
        Assert.Equal(5, error.Line);
        Assert.Contains("8 trials over an empty search space", error.Message);
    }

    [Fact]
    public void Without_a_search_space_the_default_is_one_trial_and_with_one_eight()
    {
        Assert.Equal(1, SpecLoader.LoadFile(_dir.Write("spec.yaml", Dataset)).Search.Trials);
        Assert.Equal(1, SpecLoader.LoadFile(_dir.Write("spec.yaml", Dataset + "search: { trials: 1 }\n")).Search.Trials);
        var tuned = SpecLoader.LoadFile(_dir.Write("spec.yaml", Dataset + "search:\n  space:\n    learning_rate: { type: log-uniform, low: 0.0001, high: 0.1 }\n"));
        Assert.Equal(8, tuned.Search.Trials);
    }

    [Fact]
    public void Image_max_megapixels_defaults_to_50_and_must_be_positive()
    {
        Assert.Equal(50_000_000, SpecLoader.LoadFile(_dir.Write("spec.yaml", Dataset)).Image.MaxPixels);
        Assert.Equal(2_500_000, SpecLoader.LoadFile(_dir.Write("spec.yaml", Dataset + "image: { max_megapixels: 2.5 }\n")).Image.MaxPixels);
        Assert.Equal("image.max_megapixels", Single(Dataset + "image: { max_megapixels: 0 }\n").Path);
    }
}
