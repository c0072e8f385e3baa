using System.Net;
using System.Net.Sockets;
using Nachos.Host.Api;

namespace Nachos.EndToEnd.Tests;

/// <summary>The real <c>nachos</c> CLI against a running node: palettes, output, exit codes (docs/cli.md).</summary>
public sealed class CliTests(ApiNode node) : IClassFixture<ApiNode>
{
    private static string Why((int Code, string Output, string Error) r) => $"exit {r.Code}\n{r.Output}\n{r.Error}";

    [Fact]
    public void Submit_and_study_submit_are_one_command_through_the_api()
    {
        File.WriteAllText(Path.Combine(node.WorkDir, "pair.yaml"), ApiNode.Spec("pair", 0, trials: 1));
        var top = node.Cli("submit", "pair.yaml", "--name", "pair-a");
        var study = node.Cli("study", "submit", "pair.yaml", "--name", "pair-b");
        Assert.True(top.Code == 0, Why(top));
        Assert.Equal(top, (study.Code, study.Output.Replace("pair-b", "pair-a"), study.Error));
        Assert.Equal("submitted pair-a", top.Output.Trim());
        Assert.True(File.Exists(Path.Combine(node.StudyDir("pair-b"), "spec.yaml")));

        // Either name reaches the same store: the other form sees the study as submitted.
        var again = node.Cli("submit", "pair.yaml", "--name", "pair-b");
        Assert.True(again.Code == 0, Why(again));
        Assert.Contains("pair-b was already submitted", again.Output);
    }

    [Fact]
    public void Submit_watch_list_show_trials_report_and_nodes_through_the_cli()
    {
        File.WriteAllText(Path.Combine(node.WorkDir, "cli.yaml"), ApiNode.Spec("cli", 0.02));
        var submit = node.Cli("study", "submit", "cli.yaml");
        Assert.True(submit.Code == 0, Why(submit));
        Assert.Contains("submitted cli", submit.Output);
        // The spec's relative dataset path resolved against the spec's folder, as with `nachos run`.
        Assert.True(File.Exists(Path.Combine(node.WorkDir, "data", "manifest.csv")));

        var watch = node.Cli("study", "watch", "cli", "--interval", "0.5");
        Assert.True(watch.Code == 0, Why(watch));
        Assert.Contains("cli: complete", watch.Output);
        Assert.Contains("chosen for the fold's refit", watch.Output);
        Assert.Contains("cli: trials ranked within each outer fold by inner validation auroc", watch.Output);
        // It ends with the result in words (asked of the API) and the report.
        Assert.Contains("cli: mean test AUROC", watch.Output);
        Assert.True(watch.Output.IndexOf("cli: complete", StringComparison.Ordinal) < watch.Output.IndexOf("cli: mean test AUROC", StringComparison.Ordinal), watch.Output);

        var list = node.Cli("study", "list");
        Assert.True(list.Code == 0, Why(list));
        Assert.Matches(@"cli\s+│\s+complete", list.Output);
        var show = node.Cli("study", "show", "cli");
        Assert.True(show.Code == 0, Why(show));
        Assert.Contains("test metrics across outer folds", show.Output);
        Assert.Contains("Leakage audit: passed", show.Output);
        var trials = node.Cli("trial", "list", "cli", "--fold", "1", "--sort", "accuracy");
        Assert.True(trials.Code == 0, Why(trials));
        Assert.Contains("ranked within each outer fold by inner validation accuracy", trials.Output);

        var json = node.Cli("study", "report", "cli", "--format", "json");
        Assert.True(json.Code == 0, Why(json));
        Assert.Equal(File.ReadAllText(Path.Combine(node.StudyDir("cli"), "report.json")), json.Output.TrimEnd('\n'));
        var html = node.Cli("study", "report", "cli", "--format", "html", "--out", "cli.html");
        Assert.True(html.Code == 0, Why(html));
        Assert.Contains("id=\"model-o0-refit\"", File.ReadAllText(Path.Combine(node.WorkDir, "cli.html")));
        var table = node.Cli("study", "report", "cli");
        Assert.True(table.Code == 0, Why(table));
        Assert.Contains("cli: outer folds", table.Output);

        var nodes = node.Cli("node", "list");
        Assert.True(nodes.Code == 0, Why(nodes));
        Assert.Contains("cpu1", nodes.Output);
        var cluster = node.Cli("cluster", "show");
        Assert.True(cluster.Code == 0, Why(cluster));
        Assert.Contains("coordinator,worker", cluster.Output);
    }

    [Fact]
    public void Unknown_study_bad_token_no_token_and_unreachable_host_end_with_their_exit_codes()
    {
        var unknown = node.Cli("study", "show", "nope");
        Assert.Equal(5, unknown.Code);
        Assert.Contains("no study 'nope'", unknown.Error);
        Assert.Equal(5, node.Cli("trial", "list", "nope").Code);
        Assert.Equal(5, node.Cli("study", "watch", "nope").Code);

        var badToken = NachosProcess.Run(node.WorkDir, "--host", node.HostPort, "--token", "wrong", "study", "list");
        Assert.Equal(4, badToken.Code);
        Assert.Contains("refused the token", badToken.Error);
        var noToken = NachosProcess.Run(node.WorkDir, "--host", node.HostPort, "study", "list");
        Assert.Equal(4, noToken.Code);
        Assert.Contains("needs a token", noToken.Error);
        // NACHOS_TOKEN works as well as --token.
        using (var withEnv = new NachosProcess(node.WorkDir, new Dictionary<string, string> { ["NACHOS_TOKEN"] = node.Token }, "--host", node.HostPort, "study", "list"))
            Assert.Equal(0, withEnv.Wait(TimeSpan.FromMinutes(1)));

        var unreachable = NachosProcess.Run(node.WorkDir, "--host", $"127.0.0.1:{ClosedPort()}", "--token", node.Token, "study", "list");
        Assert.Equal(3, unreachable.Code);
        Assert.Contains("cannot reach the nachos API", unreachable.Error);

        var badInput = node.Cli("study", "submit", "no-such-spec.yaml");
        Assert.Equal(2, badInput.Code);
        var invalid = node.Cli("trial", "list", "nope", "--sort", "bogus");
        Assert.Equal(5, invalid.Code); // the study is looked up first
    }

    [Fact]
    public void The_shell_runs_each_line_as_a_command_until_exit()
    {
        var shell = NachosProcess.RunWithInput(node.WorkDir, "help\nnode list\n\nnode\nstudy show nope\nexit\nstudy list\n", "--host", node.HostPort, "--root", node.Root);

        Assert.True(shell.Code == 5, Why(shell)); // the last command's exit code: `study show nope`
        Assert.Contains("Commands:", shell.Output); // help
        Assert.Contains("cpu0", shell.Output);
        Assert.Contains("no study 'nope'", shell.Error);
        Assert.Contains("start it outside the shell", shell.Error); // `node` alone would run a node
        // Nothing after `exit` ran.
        Assert.DoesNotContain("no studies", shell.Output);
        Assert.DoesNotContain("tasks ended", shell.Output);
    }

    [Fact]
    public void An_unknown_word_in_the_shell_gets_a_one_line_hint_with_the_closest_command_and_the_shell_goes_on()
    {
        var shell = NachosProcess.RunWithInput(node.WorkDir, "stdy list\nfrobnicate\nnode list\n", "--host", node.HostPort, "--root", node.Root);

        Assert.True(shell.Code == 0, Why(shell)); // the last line ran
        Assert.Equal(["error: unknown command 'stdy' (did you mean `study`?)", "error: unknown command 'frobnicate' (`help` lists the commands)"],
            shell.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("Commands:", shell.Output); // not the whole help
        Assert.Contains("cpu0", shell.Output); // `node list` after them
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
