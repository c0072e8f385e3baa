using System.Globalization;
using System.Text.Json.Nodes;
using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;
using Nachos.Tests;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// <c>nachos model register/list/show/promote/history</c> as child processes on bundles of a study finished by the real
/// <c>nachos run</c>, each command a new process on the campaign's journal.db (so every step also reopens the registry).
/// </summary>
[Collection(FinishedStudiesCollection.Name)]
public sealed class ModelRegistryCommandTests(FinishedStudies studies)
{
    private static (int Code, string Output, string Error) Nachos(TempDir dir, params string[] args) =>
        NachosProcess.Run(dir.Path, [.. args, "--root", dir.File("campaign")]);

    private static void Ok((int Code, string Output, string Error) run) => Assert.True(run.Code == 0, $"exit {run.Code}\n{run.Output}\n{run.Error}");

    [Fact]
    public void Bundles_are_registered_ranked_promoted_only_when_better_on_the_same_set_and_kept_in_the_history()
    {
        var study = studies.Torch;
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("campaign"));
        var manifest = Path.Combine(Path.GetDirectoryName(study.RunDir)!, "data", "manifest.csv");
        foreach (var fold in new[] { "0", "1" })
        {
            Ok(NachosProcess.Run(dir.Path, "bundle", study.RunDir, "--fold", fold, "--out", dir.File($"b{fold}"), "--archive", dir.File($"b{fold}.zip")));
            Ok(NachosProcess.Run(dir.Path, "predict", dir.File($"b{fold}.zip"), manifest, "--out", dir.File($"eval-{fold}.csv")));
        }
        // A challenger that ranks every image backwards: certainly worse. And the same predictions on fewer images: another set.
        var table = PredictionsFile.Read(dir.File("eval-0.csv"), TaskKind.Binary);
        PredictionsFile.Write(dir.File("backwards.csv"), TaskKind.Binary, table.Classes, table.Rows.Select(r => r with { Probabilities = [.. r.Probabilities.Reverse()] }));
        PredictionsFile.Write(dir.File("fewer.csv"), TaskKind.Binary, table.Classes, table.Rows.Skip(3));

        Ok(Nachos(dir, "model", "register", dir.File("b0.zip"), "--task", "tiny-detection", "--eval", dir.File("eval-0.csv"), "--eval-set", "tiny-all"));
        Ok(Nachos(dir, "model", "register", dir.File("b1"), "--task", "tiny-detection", "--eval", dir.File("eval-1.csv"), "--eval-set", "tiny-all"));
        var backwards = Nachos(dir, "model", "register", dir.File("b0"), "--task", "tiny-detection", "--eval", dir.File("backwards.csv"), "--eval-set", "tiny-all");
        Ok(backwards);
        Assert.Contains("registered model 3: tiny-detection version 3", backwards.Output);
        Ok(Nachos(dir, "model", "register", dir.File("b1.zip"), "--task", "tiny-detection", "--eval", dir.File("fewer.csv")));
        Assert.True(File.Exists(dir.File("campaign/registry/tiny-detection/v2.zip")));
        Assert.True(File.Exists(dir.File("campaign/journal.db")));

        var first = Nachos(dir, "model", "promote", "1");
        Ok(first);
        Assert.Contains("promoted model 1", first.Output);

        var worse = Nachos(dir, "model", "promote", "3");
        Assert.True(worse.Code == 6, $"exit {worse.Code}\n{worse.Output}\n{worse.Error}");
        Assert.Contains("not promoted: model 3", worse.Error);
        Assert.Contains("AUROC difference -", worse.Error);
        Assert.Contains("one-sided p = ", worse.Error);
        Assert.Contains("DeLong", worse.Error);

        var otherSet = Nachos(dir, "model", "promote", "4");
        Assert.Equal(2, otherSet.Code);
        var hashes = JsonNode.Parse(Nachos(dir, "model", "list", "tiny-detection", "--format", "json").Output)!.AsArray()
            .ToDictionary(m => m!["id"]!.GetValue<long>(), m => m!["evaluation"]!["hash"]!.GetValue<string>());
        Assert.Contains(hashes[1], otherSet.Error);
        Assert.Contains(hashes[4], otherSet.Error);
        Assert.Equal(hashes[1], hashes[2]);

        var second = Nachos(dir, "model", "promote", "2", "--alpha", "0.1");
        Assert.True(second.Code is 0 or 6, $"exit {second.Code}\n{second.Output}\n{second.Error}");
        var champion = second.Code == 0 ? 2L : 1L;

        var list = JsonNode.Parse(Nachos(dir, "model", "list", "tiny-detection", "--sort", "auroc", "--format", "json").Output)!.AsArray();
        Assert.Equal(4, list.Count);
        Assert.Equal([champion], list.Where(m => m!["champion"]!.GetValue<bool>()).Select(m => m!["id"]!.GetValue<long>()));
        var aurocs = list.Select(m => m!["evaluation"]!["metrics"]!["auroc"]!.GetValue<double>()).ToList();
        Assert.Equal(aurocs.OrderDescending(), aurocs);
        Assert.Equal(3, list.Last()!["id"]!.GetValue<long>());
        Assert.NotNull(list[0]!["expected_performance"]!["metrics"]!.AsArray().Single(m => m!["metric"]!.GetValue<string>() == "auroc")!["mean"]);

        var csv = Nachos(dir, "model", "history", "tiny-detection", "--format", "csv");
        Ok(csv);
        var lines = csv.Output.Trim().Split('\n');
        Assert.Equal(5, lines.Length);
        Assert.Equal(["Promoted", "NotBetter", "DifferentSet", second.Code == 0 ? "Promoted" : "NotBetter"], lines.Skip(1).Select(l => l.Split(',')[6]));

        var text = Nachos(dir, "model", "list", "tiny-detection");
        Ok(text);
        Assert.Contains("champion", text.Output);
        Ok(Nachos(dir, "model", "history", "tiny-detection"));
        var show = Nachos(dir, "model", "show", "1");
        Ok(show);
        Assert.Contains("tiny/o0/refit", show.Output);
        Assert.Contains("NACHOS estimate", show.Output);

        Assert.Equal(5, Nachos(dir, "model", "show", "99").Code);
        Assert.Equal(5, Nachos(dir, "model", "list", "nothing").Code);
        var badTask = Nachos(dir, "model", "register", dir.File("b0"), "--task", "Bad Name", "--eval", dir.File("eval-0.csv"));
        Assert.Equal(2, badTask.Code);
        var noRoot = NachosProcess.Run(dir.Path, "model", "list", "tiny-detection");
        Assert.Equal(2, noRoot.Code);
        Assert.Contains("--root", noRoot.Error);
    }

    [Fact]
    public async Task Through_a_nodes_control_api_the_model_commands_register_list_show_promote_and_keep_the_history_in_its_database()
    {
        var study = studies.Torch;
        using var node = new ApiNode();
        using var dir = new TempDir();
        var manifest = Path.Combine(Path.GetDirectoryName(study.RunDir)!, "data", "manifest.csv");
        foreach (var fold in new[] { "0", "1" })
        {
            Ok(NachosProcess.Run(dir.Path, "bundle", study.RunDir, "--fold", fold, "--out", dir.File($"b{fold}"), "--archive", dir.File($"b{fold}.zip")));
            // Fold 1's evaluation carries each image's site (the synthetic manifest's site column).
            Ok(NachosProcess.Run(dir.Path, ["predict", dir.File($"b{fold}.zip"), manifest, "--out", dir.File($"eval-{fold}.csv"), .. fold == "1" ? ["--site-column", "site"] : Array.Empty<string>()]));
        }
        var sites = PredictionsFile.Read(dir.File("eval-1.csv"), TaskKind.Binary).Rows.Select(r => r.Extra!["site"]).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(sites.Count >= 2, $"sites: {string.Join(", ", sites)}");
        var table = PredictionsFile.Read(dir.File("eval-0.csv"), TaskKind.Binary);
        PredictionsFile.Write(dir.File("backwards.csv"), TaskKind.Binary, table.Classes, table.Rows.Select(r => r with { Probabilities = [.. r.Probabilities.Reverse()] }));
        // The client names only the coordinator's API and token: no campaign directory, no database.
        (int Code, string Output, string Error) Api(params string[] args) => NachosProcess.Run(dir.Path, [.. args, "--host", node.HostPort, "--token", node.Token]);

        var folder = Api("model", "register", dir.File("b0"), "--task", "tiny-api", "--eval", dir.File("eval-0.csv"), "--eval-set", "tiny-all");
        Ok(folder);
        Assert.Contains("registered model 1: tiny-api version 1, evaluated on 'tiny-all'", folder.Output);
        Assert.Contains(Path.Combine(node.Root, "registry", "tiny-api", "v1.zip"), folder.Output);
        Ok(Api("model", "register", dir.File("b1.zip"), "--task", "tiny-api", "--eval", dir.File("eval-1.csv"), "--eval-set", "tiny-all"));
        Ok(Api("model", "register", dir.File("b0.zip"), "--task", "tiny-api", "--eval", dir.File("backwards.csv"), "--eval-set", "tiny-all"));
        Assert.True(File.Exists(Path.Combine(node.Root, "registry", "tiny-api", "v3.zip")));

        var first = Api("model", "promote", "1");
        Ok(first);
        Assert.Contains("promoted model 1", first.Output);
        var worse = Api("model", "promote", "3");
        Assert.True(worse.Code == 6, $"exit {worse.Code}\n{worse.Output}\n{worse.Error}");
        Assert.Contains("not promoted: model 3", worse.Error);
        Assert.Contains("DeLong", worse.Error);

        var list = JsonNode.Parse(Api("model", "list", "tiny-api", "--format", "json").Output)!.AsArray();
        Assert.Equal(3, list.Count);
        Assert.Equal([1L], list.Where(m => m!["champion"]!.GetValue<bool>()).Select(m => m!["id"]!.GetValue<long>()));
        var aurocs = list.Select(m => m!["evaluation"]!["metrics"]!["auroc"]!.GetValue<double>()).ToList();
        Assert.Equal(aurocs.OrderDescending(), aurocs);
        var show = Api("model", "show", "1");
        Ok(show);
        Assert.Contains("1: tiny-api version 1 (champion)", show.Output);
        Assert.Contains("tiny/o0/refit", show.Output);
        var history = Api("model", "history", "tiny-api", "--format", "csv");
        Ok(history);
        var lines = history.Output.Trim().Split('\n');
        Assert.Equal(["Promoted", "NotBetter"], lines.Skip(1).Select(l => l.Split(',')[6]));
        Assert.All(lines.Skip(1), l => Assert.EndsWith(" (api)", l.Split(',')[1]));

        // The coordinator's models page scores model 2 per site; the others have no sites.
        var page = await node.Http.GetStringAsync("models/tiny-api");
        foreach (var site in sites) Assert.Contains($"<th data-column=\"site-{site}\" class=\"site\">AUROC at {site}</th>", page);
        Assert.Matches($"<tr data-model=\"2\"[^>]*>.*<td class=\"num site\" data-site=\"{sites[0]}\" data-value=\"[0-9.]+\"", page.Replace("\n", ""));

        // The coordinator's own journal database holds it: the local commands on its campaign directory see the same.
        var local = JsonNode.Parse(NachosProcess.Run(dir.Path, "model", "list", "tiny-api", "--format", "json", "--root", node.Root).Output)!.AsArray();
        Assert.Equal(list.Select(m => m!["id"]!.GetValue<long>()), local.Select(m => m!["id"]!.GetValue<long>()));

        Assert.Equal(5, Api("model", "show", "99").Code);
        Assert.Equal(5, Api("model", "history", "nothing").Code);
        var badTask = Api("model", "register", dir.File("b0"), "--task", "Bad Name", "--eval", dir.File("eval-0.csv"));
        Assert.Equal(2, badTask.Code);
        var wrongClasses = Api("model", "register", dir.File("b0.zip"), "--task", "tiny-api", "--eval", dir.File("b0/bundle.json"));
        Assert.True(wrongClasses.Code == 2, $"exit {wrongClasses.Code}\n{wrongClasses.Output}\n{wrongClasses.Error}");
        Assert.DoesNotContain("nachos-register-", wrongClasses.Error); // names the file, not the server's temporary folder
        var noToken = NachosProcess.Run(dir.Path, "model", "list", "tiny-api", "--host", node.HostPort);
        Assert.Equal(4, noToken.Code);
    }
}
