using System.Text;

namespace Nachos.Host.Cli;

/// <summary>
/// The line being typed in the shell and where the cursor is, with the history to walk: the editing itself, without a
/// terminal (<see cref="ShellEditor"/> reads the keys and draws it).
/// </summary>
/// <param name="history">Earlier commands, oldest first; Up walks back from the newest.</param>
public sealed class ShellLine(IReadOnlyList<string> history)
{
    private readonly StringBuilder _text = new();
    private int _browsing = history.Count;
    private string _typed = "";

    public string Text => _text.ToString();
    public int Cursor { get; private set; }

    public void Insert(string text)
    {
        _text.Insert(Cursor, text);
        Cursor += text.Length;
    }

    /// <summary>Backspace.</summary>
    public void DeleteBefore()
    {
        if (Cursor == 0) return;
        _text.Remove(--Cursor, 1);
    }

    /// <summary>Delete.</summary>
    public void DeleteAt()
    {
        if (Cursor < _text.Length) _text.Remove(Cursor, 1);
    }

    /// <summary>Ctrl-W: the word before the cursor, and the spaces after it.</summary>
    public void DeleteWordBefore()
    {
        var start = WordStart(Cursor);
        _text.Remove(start, Cursor - start);
        Cursor = start;
    }

    /// <summary>Ctrl-U.</summary>
    public void DeleteToStart()
    {
        _text.Remove(0, Cursor);
        Cursor = 0;
    }

    /// <summary>Ctrl-K.</summary>
    public void DeleteToEnd() => _text.Remove(Cursor, _text.Length - Cursor);

    public void Left() => Cursor = Math.Max(0, Cursor - 1);
    public void Right() => Cursor = Math.Min(_text.Length, Cursor + 1);
    public void Home() => Cursor = 0;
    public void End() => Cursor = _text.Length;
    public void WordLeft() => Cursor = WordStart(Cursor);

    public void WordRight()
    {
        var i = Cursor;
        while (i < _text.Length && _text[i] == ' ') i++;
        while (i < _text.Length && _text[i] != ' ') i++;
        Cursor = i;
    }

    /// <summary>Up: the command before the one shown; the line being typed is kept for Down to come back to.</summary>
    public void Previous()
    {
        if (_browsing == 0) return;
        if (_browsing == history.Count) _typed = Text;
        Show(history[--_browsing]);
    }

    /// <summary>Down: the command after the one shown, and after the newest the line that was being typed.</summary>
    public void Next()
    {
        if (_browsing == history.Count) return;
        _browsing++;
        Show(_browsing == history.Count ? _typed : history[_browsing]);
    }

    /// <summary>The text before the word at the cursor, and the part of that word before the cursor.</summary>
    public (string Before, string Word) WordAtCursor()
    {
        var text = Text[..Cursor];
        var start = text.LastIndexOf(' ') + 1;
        return (text[..start], text[start..]);
    }

    private void Show(string line)
    {
        _text.Clear().Append(line);
        Cursor = line.Length;
    }

    private int WordStart(int from)
    {
        var i = from;
        while (i > 0 && _text[i - 1] == ' ') i--;
        while (i > 0 && _text[i - 1] != ' ') i--;
        return i;
    }
}
