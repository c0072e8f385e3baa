using Nachos.Host.Cli;
using Nachos.Tests;

namespace Nachos.EndToEnd.Tests;

/// <summary>The shell's line editing and history file, without a terminal (the terminal itself: <see cref="ShellTerminalTests"/>).</summary>
public sealed class ShellLineTests
{
    private static ShellLine Typed(string text, params string[] history)
    {
        var line = new ShellLine(history);
        line.Insert(text);
        return line;
    }

    [Fact]
    public void Keys_edit_at_the_cursor()
    {
        var line = Typed("study show abc");
        line.Left();
        line.DeleteBefore(); // "study show ac"
        line.Insert("X"); // "study show aXc"
        line.Home();
        line.DeleteAt(); // "tudy show aXc"
        line.WordRight();
        Assert.Equal(("tudy show aXc", 4), (line.Text, line.Cursor));
        line.End();
        line.DeleteWordBefore();
        Assert.Equal(("tudy show ", 10), (line.Text, line.Cursor));
        line.WordLeft();
        line.DeleteToEnd();
        Assert.Equal(("tudy ", 5), (line.Text, line.Cursor));
        line.DeleteToStart();
        Assert.Equal(("", 0), (line.Text, line.Cursor));
    }

    [Fact]
    public void Up_and_down_walk_the_history_and_come_back_to_the_line_being_typed()
    {
        var line = Typed("stu", "node list", "study list");
        line.Previous();
        Assert.Equal("study list", line.Text);
        line.Previous();
        line.Previous(); // no older one: stays
        Assert.Equal(("node list", 9), (line.Text, line.Cursor));
        line.Next();
        line.Next();
        Assert.Equal("stu", line.Text);
        line.Next(); // nothing newer
        Assert.Equal("stu", line.Text);
    }

    [Fact]
    public void The_word_at_the_cursor_is_what_tab_completes()
    {
        var line = Typed("study watch sl --top 3");
        line.WordLeft();
        line.WordLeft();
        line.WordLeft(); // before "sl"
        line.Right();
        line.Right();
        Assert.Equal(("study watch ", "sl"), line.WordAtCursor());
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")] // file modes
    public void The_history_file_keeps_the_latest_commands_for_its_owner_only_and_no_token()
    {
        using var dir = new TempDir();
        var history = new ShellHistory(dir.File(".nachos/shell-history"));
        for (var i = 0; i < ShellHistory.Kept + 5; i++) history.Append($"study show s{i}");
        history.Append($"study show s{ShellHistory.Kept + 4}"); // the same again: once
        history.Append("study list --token secret");

        var lines = history.Load();
        Assert.Equal(ShellHistory.Kept, lines.Count);
        Assert.Equal(("study show s5", $"study show s{ShellHistory.Kept + 4}"), (lines[0], lines[^1]));
        Assert.DoesNotContain("secret", File.ReadAllText(history.FilePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(history.FilePath));
    }

    [Fact]
    public void An_unreadable_history_leaves_the_shell_without_one()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("file"), "");
        var history = new ShellHistory(dir.File("file/shell-history")); // its folder is a file
        history.Append("node list");
        Assert.Empty(history.Load());
    }
}
