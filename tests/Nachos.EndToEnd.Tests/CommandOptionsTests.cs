using System.CommandLine;
using System.CommandLine.Help;
using Nachos.Host.Commands;

namespace Nachos.EndToEnd.Tests;

/// <summary>Each command declares (and its --help lists) exactly the options it reads (docs/cli.md).</summary>
public sealed class CommandOptionsTests
{
    private static readonly string[] Api = ["--host", "--token", "--root"];

    /// <summary>What each command's action reads: update it with the command.</summary>
    private static readonly Dictionary<string, string[]> Expected = new()
    {
        [""] = Api, // the shell's: every line it runs gets them
        ["run"] = ["--run-dir", "--devices"],
        ["deploy"] = ["--final", "--devices"],
        ["node"] = ["--root", "--seed", "--roles", "--devices", "--public-host", "--port", "--postgres", "--api-port", "--api-host", "--data-root", "--campaign-key"],
        ["node list"] = Api,
        ["node drain"] = Api,
        ["submit"] = ["--name", "--wait", .. Api],
        ["train"] = ["--outer", "--inner", "--refit", "--epochs", "--run-dir", "--resume"],
        ["report"] = ["--format", "--out", .. Api],
        ["task"] = ["--run-dir", "--task-file", "--device", "--parent-pid"],
        ["worker"] = ["--device", "--parent-pid"],
        ["dataset"] = [],
        ["dataset synth"] = ["--out", "--task", "--patients", "--sites", "--size", "--seed"],
        ["ensemble"] = ["--top", "--out", "--external"],
        ["evaluate"] = ["--masks-dir", "--by", "--format", "--task", "--classes", "--set", "--out"],
        ["compare"] = ["--metric", "--format", "--out", "--plot"],
        ["bundle"] = ["--task", "--fold", "--final", "--fold-ensemble", "--out", "--archive"],
        ["stress"] = ["--transforms", "--severities", "--channel-grid"],
        ["learning-curve"] = ["--fractions", "--delta"],
        ["proxy-check"] = ["--fold", "--configs", "--format", "--out"],
        ["predict"] = ["--out", "--device", "--site-column"],
        ["model"] = [],
        ["model register"] = ["--task", "--eval", "--eval-set", .. Api, "--postgres"],
        ["model list"] = ["--sort", "--format", .. Api, "--postgres"],
        ["model show"] = ["--format", .. Api, "--postgres"],
        ["model promote"] = ["--alpha", "--metric", .. Api, "--postgres"],
        ["model history"] = ["--format", .. Api, "--postgres"],
        ["cluster"] = [],
        ["cluster show"] = Api,
        ["cluster leave"] = Api,
        ["cluster down"] = Api,
        ["study"] = [],
        ["study submit"] = ["--name", "--wait", .. Api],
        ["study list"] = Api,
        ["study show"] = Api,
        ["study watch"] = ["--interval", "--top", .. Api],
        ["study pause"] = Api,
        ["study resume"] = Api,
        ["study cancel"] = Api,
        ["study report"] = ["--format", "--out", .. Api],
        ["trial"] = [],
        ["trial list"] = ["--fold", "--sort", "--format", .. Api],
    };

    [Fact]
    public void Every_command_declares_exactly_the_options_it_reads_and_none_is_inherited()
    {
        var seen = new Dictionary<string, string[]>();
        void Walk(Command command, string path)
        {
            seen[path] = command.Options.Where(o => o is not (HelpOption or VersionOption)).Select(o => o.Name).Order().ToArray();
            Assert.All(command.Options.Where(o => o is not HelpOption), o => Assert.False(o.Recursive, $"'{path}' passes {o.Name} on to its subcommands' --help"));
            foreach (var sub in command.Subcommands) Walk(sub, path.Length == 0 ? sub.Name : $"{path} {sub.Name}");
        }
        Walk(NachosCli.Create([]), "");

        Assert.Equal(Expected.Keys.Order(), seen.Keys.Order());
        Assert.All(Expected, e => Assert.True(e.Value.Order().SequenceEqual(seen[e.Key]),
            $"'{e.Key}': declares {string.Join(" ", seen[e.Key])}, expected {string.Join(" ", e.Value.Order())}"));
    }

    [Fact]
    public void Help_lists_the_api_options_only_where_they_are_read()
    {
        using var dir = new TempDir();
        var synth = NachosProcess.Run(dir.Path, "dataset", "synth", "--help");
        Assert.Equal(0, synth.Code);
        Assert.Contains("--patients", synth.Output);
        Assert.All(Api, o => Assert.DoesNotContain(o, synth.Output));

        var train = NachosProcess.Run(dir.Path, "train", "--help");
        Assert.All(Api, o => Assert.DoesNotContain(o, train.Output));

        var list = NachosProcess.Run(dir.Path, "study", "list", "--help");
        Assert.All(Api, o => Assert.Contains(o, list.Output));
        var node = NachosProcess.Run(dir.Path, "node", "--help");
        Assert.Contains("--root", node.Output);
        Assert.DoesNotContain("--token", node.Output);
    }

    [Theory]
    [InlineData("submit", "study submit")]
    [InlineData("report", "study report")]
    [InlineData("cluster show", "node list")]
    public void Aliases_have_one_help_but_for_their_name(string first, string second)
    {
        using var dir = new TempDir();
        var a = NachosProcess.Run(dir.Path, [.. first.Split(' '), "--help"]);
        var b = NachosProcess.Run(dir.Path, [.. second.Split(' '), "--help"]);
        Assert.Equal(0, a.Code);
        Assert.Equal(a.Output, b.Output.Replace($"nachos {second}", $"nachos {first}"));
    }
}
