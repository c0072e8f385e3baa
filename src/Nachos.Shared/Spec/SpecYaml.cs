using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Nachos.Shared.Spec;

/// <summary>
/// Reads a spec's YAML text into its root mapping. Syntax faults become a <see cref="SpecException"/> with line and
/// column and the parser's description of the fault, never the text itself.
/// </summary>
internal static class SpecYaml
{
    public static YamlMappingNode Root(string yaml, string file)
    {
        var stream = new YamlStream();
        var parser = new TrackingParser(new Parser(new StringReader(yaml)));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            throw Fault(file, e.Start, e.InnerException?.Message ?? e.Message);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way (no position) on some unclosed flow collections spanning lines.
            throw parser.OpenFlow is { } open
                ? Fault(file, open.Start, $"this '{(open.Sequence ? '[' : '{')}' is never closed")
                : Fault(file, parser.LastEnd, "malformed YAML after this point");
        }
        if (stream.Documents.Count > 1)
            throw Fault(file, parser.DocumentStarts[1], "a second YAML document starts here; a spec is one document (remove the '---' and what follows, or merge them)");
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new SpecException(file, [new SpecError("(root)", 1, "the spec must be a mapping of keys to values")]);
        return root;
    }

    private static SpecException Fault(string file, Mark at, string message) =>
        new(file, [new SpecError("(yaml)", (int)at.Line, message, (int)at.Column)]);

    /// <summary>Remembers where the last event ended and which collections are open (flow ones: '[' or '{').</summary>
    private sealed class TrackingParser(IParser inner) : IParser
    {
        private readonly Stack<(Mark Start, bool Sequence, bool Flow)> _open = new();

        public Mark LastEnd { get; private set; } = Mark.Empty;
        public List<Mark> DocumentStarts { get; } = [];

        /// <summary>The innermost open flow collection, if any.</summary>
        public (Mark Start, bool Sequence)? OpenFlow =>
            _open.FirstOrDefault(c => c.Flow) is { Flow: true } c ? (c.Start, c.Sequence) : null;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (!inner.MoveNext()) return false;
            var e = inner.Current!;
            switch (e)
            {
                case SequenceStart s: _open.Push((e.Start, true, s.Style == SequenceStyle.Flow)); break;
                case MappingStart m: _open.Push((e.Start, false, m.Style == MappingStyle.Flow)); break;
                case SequenceEnd or MappingEnd: _open.TryPop(out _); break;
                case DocumentStart: DocumentStarts.Add(e.Start); break;
            }
            LastEnd = e.End;
            return true;
        }
    }
}
