namespace Nachos.EndToEnd.Tests;

/// <summary><c>nachos submit</c> and <c>nachos study submit</c> into a campaign directory (no --host): one command.</summary>
public sealed class SubmitCommandTests
{
    [Fact]
    public void Submit_and_study_submit_store_the_same_study_in_the_campaign_directory()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), SimulatedSpecs.Yaml("alias", 0, trials: 1));

        var top = NachosProcess.Run(dir.Path, "submit", "spec.yaml", "--root", dir.File("a"));
        var study = NachosProcess.Run(dir.Path, "study", "submit", "spec.yaml", "--root", dir.File("b"));
        Assert.True(top.Code == 0, top.Output + top.Error);
        // (The first also generates the synthetic data: its progress line depends on timing.)
        Assert.Equal((top.Code, Lines(top.Output), top.Error), (study.Code, Lines(study.Output.Replace(dir.File("b"), dir.File("a"))), study.Error));
        Assert.Equal($"submitted alias to {dir.File("a/studies/alias")}", Lines(top.Output));
        foreach (var file in new[] { "spec.yaml", "splits.json" })
            Assert.Equal(File.ReadAllText(dir.File($"a/studies/alias/{file}")), File.ReadAllText(dir.File($"b/studies/alias/{file}")));

        // --name works without the API too: the stored spec carries the new id.
        var renamed = NachosProcess.Run(dir.Path, "submit", "spec.yaml", "--root", dir.File("a"), "--name", "other");
        Assert.True(renamed.Code == 0, renamed.Output + renamed.Error);
        Assert.Contains("name: other", File.ReadAllText(dir.File("a/studies/other/spec.yaml")));

        var badName = NachosProcess.Run(dir.Path, "submit", "spec.yaml", "--root", dir.File("a"), "--name", "no/slash");
        Assert.Equal(2, badName.Code);
        Assert.Contains("--name no/slash", badName.Error);

        var nowhere = NachosProcess.Run(dir.Path, "study", "submit", "spec.yaml");
        Assert.Equal(2, nowhere.Code);
        Assert.Contains("--root (or NACHOS_ROOT) is required", nowhere.Error);
    }

    private static string Lines(string output) =>
        string.Join("\n", output.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("decoding images", StringComparison.Ordinal)));
}
