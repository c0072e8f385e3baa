using Nachos.Tests;

namespace Nachos.EndToEnd.Tests;

/// <summary>The interactive shell (<c>nachos</c> with no command) on a real pseudo-terminal against a running node: keys in, screen out (docs/cli.md).</summary>
public sealed class ShellTerminalTests(ApiNode node) : IClassFixture<ApiNode>
{
    private PseudoTerminal Shell(string home) => new(node.WorkDir, home, "--host", node.HostPort, "--root", node.Root);

    [Fact]
    public async Task Tab_completes_palettes_and_commands_and_lists_the_candidates_of_an_empty_word()
    {
        using var home = new TempDir();
        using var shell = Shell(home.Path);
        await shell.Until("nachos> ");
        await shell.Type("stu\t");
        await shell.Until("study "); // "stu" completed to the one palette it starts
        await shell.Type("sho\t");
        await shell.Until("study show ");
        await shell.Type("nope\r");
        await shell.Until("no study 'nope'"); // the completed line ran as `study show nope`
        var mark = shell.Mark;
        await shell.Type("\t");
        foreach (var palette in new[] { "cluster", "study", "trial", "node" }) await shell.Until(palette, mark); // an empty word lists every palette
        await shell.Type("exit\r");
        Assert.Equal(5, await shell.Exit()); // the last command's exit code: `study show nope`
    }

    [Fact]
    public async Task Tab_completes_a_study_id_from_the_studies_the_api_lists()
    {
        File.WriteAllText(Path.Combine(node.WorkDir, "tab.yaml"), ApiNode.Spec("tabbed-study", 0, trials: 1));
        var submit = node.Cli("study", "submit", "tab.yaml");
        Assert.True(submit.Code == 0, submit.Error);
        await node.WaitFor("tabbed-study", s => s.State == "complete", TimeSpan.FromMinutes(2));

        using var home = new TempDir();
        using var shell = Shell(home.Path);
        await shell.Until("nachos> ");
        await shell.Type("study show tabb\t");
        await shell.Until("study show tabbed-study ");
        await shell.Type("\r");
        await shell.Until("Leakage audit"); // `study show tabbed-study` ran: the report
        var mark = shell.Mark;
        await shell.Type("trial list tab\t");
        await shell.Until("trial list tabbed-study ", mark);
        await shell.Type("\r");
        await shell.Until("ranked within each outer fold", mark);
        await shell.Type(PseudoTerminal.CtrlD); // on the empty line: leaves
        Assert.Equal(0, await shell.Exit());
    }

    [Fact]
    public async Task Up_recalls_the_previous_command_in_the_session_and_in_the_next_one()
    {
        using var home = new TempDir();
        using (var shell = Shell(home.Path))
        {
            await shell.Until("nachos> ");
            await shell.Type("node list\r");
            await shell.Until("cpu0");
            var mark = shell.Mark;
            await shell.Type(PseudoTerminal.Up);
            await shell.Until("node list", mark); // drawn again on the prompt line
            await shell.Type("\r");
            await shell.Until("cpu0", mark); // and run again
            await shell.Type("exit\r");
            Assert.Equal(0, await shell.Exit());
        }
        Assert.Equal(["node list"], File.ReadAllLines(Path.Combine(home.Path, ".nachos", "shell-history"))); // once, and not `exit`

        using var next = Shell(home.Path);
        await next.Until("nachos> ");
        var start = next.Mark;
        await next.Type(PseudoTerminal.Up + "\r");
        await next.Until("cpu0", start); // the last session's command
        await next.Type("exit\r");
        Assert.Equal(0, await next.Exit());
    }

    [Fact]
    public async Task Ctrl_C_stops_study_watch_and_the_shell_answers_the_next_command_and_ignores_Ctrl_C_at_the_prompt()
    {
        File.WriteAllText(Path.Combine(node.WorkDir, "slow.yaml"), ApiNode.Spec("slow-watched", 2));
        var submit = node.Cli("study", "submit", "slow.yaml");
        Assert.True(submit.Code == 0, submit.Error);

        using var home = new TempDir();
        using var shell = Shell(home.Path);
        await shell.Until("nachos> ");
        await shell.Type("study watch slow-watched --interval 0.5\r");
        await shell.Until("slow-watched: trials ranked within each outer fold"); // the live view is up
        var mark = shell.Mark;
        await shell.Type(PseudoTerminal.CtrlC);
        // Under the load of the whole suite a Ctrl-C typed into the pseudo-terminal has been seen to go missing (the watch
        // kept refreshing; cause not found, see the closing note of 2026-12-05): after 20 s without an answer it is typed
        // once more, as a user would. A second Ctrl-C that reached a command already stopping would end the shell, and
        // the test would fail on the prompt below.
        if (!await shell.Within("(interrupted)", mark, TimeSpan.FromSeconds(20))) await shell.Type(PseudoTerminal.CtrlC);
        await shell.Until("(interrupted)", mark);
        await shell.Until("nachos> ", mark);
        Assert.DoesNotContain("slow-watched: complete", shell.Screen);

        // Ctrl-C at the prompt drops the line; the shell stays.
        mark = shell.Mark;
        await shell.Type("study li" + PseudoTerminal.CtrlC);
        await shell.Until("^C", mark);
        mark = shell.Mark;
        await shell.Type("study cancel slow-watched\r");
        await shell.Until("slow-watched: cancelled", mark);
        await shell.Type("exit\r");
        Assert.Equal(0, await shell.Exit());
    }
}
