using Spectre.Console;

namespace Nachos.Host.Cli;

/// <summary>
/// The shell's line editor on a terminal: keys read with Console.ReadKey, the line drawn again after each one (scrolled
/// sideways when it is wider than the terminal). ← → Home End (Ctrl-A, Ctrl-E), Ctrl-← Ctrl-→ by word, Backspace,
/// Delete, Ctrl-W, Ctrl-U, Ctrl-K; ↑ ↓ (Ctrl-P, Ctrl-N) walk the history of this session and earlier ones
/// (<see cref="ShellHistory"/>); Tab completes the word as far as its candidates agree, and lists them when they do not;
/// Ctrl-D on an empty line leaves. RadLine would do this but is built against an older, unsigned Spectre.Console that
/// does not bind to ours (docs/cli.md).
/// </summary>
public sealed class ShellEditor(ShellCompletion completion, ShellHistory history)
{
    public const string Prompt = "nachos> ";

    private readonly List<string> _history = history.Load().ToList();
    // A key read that a Ctrl-C at the prompt left waiting: the next line takes its key (a read cannot be called off).
    private Task<ConsoleKeyInfo>? _pendingKey;
    private int _offset;

    /// <summary>Input and output a terminal that takes ANSI sequences; else (TERM=dumb, output to a file) the plain line reader.</summary>
    public static bool Supported => !Console.IsInputRedirected && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Ansi;

    /// <summary>Ctrl-D was pressed on an empty line: the user leaves.</summary>
    public bool EndOfInput { get; private set; }

    /// <returns>The line; null at Ctrl-D on an empty line (<see cref="EndOfInput"/>) or when <paramref name="cancel"/> fired (Ctrl-C).</returns>
    public async Task<string?> ReadLine(CancellationToken cancel)
    {
        var line = new ShellLine(_history.ToList());
        _offset = 0;
        Draw(line);
        while (true)
        {
            ConsoleKeyInfo key;
            try
            {
                key = await (_pendingKey ??= Task.Run(() => Console.ReadKey(intercept: true))).WaitAsync(cancel);
            }
            catch (OperationCanceledException)
            {
                line.End();
                Draw(line);
                Write("^C\n");
                return null;
            }
            _pendingKey = null;
            var control = key.Modifiers.HasFlag(ConsoleModifiers.Control);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    line.End();
                    Draw(line);
                    Write("\n");
                    Remember(line.Text.Trim());
                    return line.Text;
                case ConsoleKey.D when control:
                    if (line.Text.Length == 0)
                    {
                        Write("\n");
                        EndOfInput = true;
                        return null;
                    }
                    line.DeleteAt();
                    break;
                case ConsoleKey.Tab:
                    Complete(line);
                    break;
                case ConsoleKey.Backspace: line.DeleteBefore(); break;
                case ConsoleKey.Delete: line.DeleteAt(); break;
                case ConsoleKey.LeftArrow when control: line.WordLeft(); break;
                case ConsoleKey.RightArrow when control: line.WordRight(); break;
                case ConsoleKey.LeftArrow when !control:
                case ConsoleKey.B when control:
                    line.Left();
                    break;
                case ConsoleKey.RightArrow when !control:
                case ConsoleKey.F when control:
                    line.Right();
                    break;
                case ConsoleKey.Home:
                case ConsoleKey.A when control:
                    line.Home();
                    break;
                case ConsoleKey.End:
                case ConsoleKey.E when control:
                    line.End();
                    break;
                case ConsoleKey.UpArrow when !control:
                case ConsoleKey.P when control:
                    line.Previous();
                    break;
                case ConsoleKey.DownArrow when !control:
                case ConsoleKey.N when control:
                    line.Next();
                    break;
                case ConsoleKey.W when control: line.DeleteWordBefore(); break;
                case ConsoleKey.U when control: line.DeleteToStart(); break;
                case ConsoleKey.K when control: line.DeleteToEnd(); break;
                default:
                    if (!char.IsControl(key.KeyChar)) line.Insert(key.KeyChar.ToString());
                    break;
            }
            Draw(line);
        }
    }

    private void Remember(string text)
    {
        // `exit` is not kept: ↑ in the next session brings back the last command that did something.
        if (text.Length == 0 || text is "exit" or "quit" || (_history.Count > 0 && _history[^1] == text)) return;
        _history.Add(text);
        history.Append(text);
    }

    /// <summary>Tab: the word completed as far as its candidates agree (one: the whole word and a space), else the candidates listed under the line.</summary>
    private void Complete(ShellLine line)
    {
        var (before, word) = line.WordAtCursor();
        var candidates = completion.Of(before, word);
        if (candidates.Count == 0) return;
        var common = candidates.Aggregate((a, b) => a[..CommonLength(a, b)]);
        if (candidates.Count == 1) line.Insert(common[word.Length..] + " ");
        else if (common.Length > word.Length) line.Insert(common[word.Length..]);
        else Write("\n" + string.Join("  ", candidates) + "\n"); // the prompt is drawn again below them
    }

    private static int CommonLength(string a, string b)
    {
        var n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n]) n++;
        return n;
    }

    /// <summary>The prompt and the part of the line around the cursor that fits, the cursor in its place.</summary>
    private void Draw(ShellLine line)
    {
        var width = Math.Max(10, TerminalWidth() - Prompt.Length - 1);
        var text = line.Text;
        _offset = Math.Clamp(_offset, Math.Max(0, line.Cursor - width), line.Cursor);
        var visible = text.Substring(_offset, Math.Min(width, text.Length - _offset));
        var back = _offset + visible.Length - line.Cursor;
        Write("\r" + Prompt + visible + "\u001b[K" + (back > 0 ? $"\u001b[{back}D" : ""));
    }

    private static int TerminalWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }

    private static void Write(string text)
    {
        Console.Out.Write(text);
        Console.Out.Flush();
    }
}
