using Nachos.Host.Application;
using Nachos.Tests;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// A coordinator keeps a finished study's rendered page; a command that adds to the run directory afterwards
/// (<c>nachos deploy</c> here) makes the next request render it again instead of serving the page from before.
/// </summary>
public sealed class ServedPageAfterDeployTests
{
    [Fact]
    public void A_study_deployed_after_its_page_was_served_shows_its_final_model_on_the_next_request()
    {
        using var dir = new TempDir();
        dir.Write("spec.yaml", SimulatedSpecs.Yaml("later", 0, 4, outer: 2, inner: 2, devices: 2));
        var run = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "studies/later");
        Assert.True(run.Code == 0, run.Output + run.Error);
        var studies = new CampaignStudies(dir.Path);

        var before = studies.StudyPage("later", [])!;
        Assert.DoesNotContain("id=\"final-model\"", before);
        Assert.DoesNotContain("id=\"final-model\"", studies.Export("later")!);
        Assert.Same(before, studies.StudyPage("later", [])); // kept while nothing changes

        var deploy = NachosProcess.Run(dir.Path, "deploy", "studies/later");
        Assert.True(deploy.Code == 0, deploy.Output + deploy.Error);

        var after = studies.StudyPage("later", [])!;
        Assert.Contains("id=\"final-model\"", after);
        Assert.Contains("id=\"final-model\"", studies.Export("later")!);
        Assert.Same(after, studies.StudyPage("later", []));
        Assert.NotNull(studies.Run("later")!.FinalModel);
    }
}
