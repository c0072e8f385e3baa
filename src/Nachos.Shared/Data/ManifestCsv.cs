using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Nachos.Shared.Data;

/// <summary>
/// The CSV dialect of a manifest, with its malformed records (bad quoting, a field count unlike the header's)
/// refused as a <see cref="DataException"/> naming the file, line and field, never the content: the file may
/// not be a manifest at all.
/// </summary>
internal sealed class ManifestCsv
{
    private readonly string _file;
    private int _lastLine, _lastRecord;

    public ManifestCsv(string file)
    {
        _file = file;
        Configuration = new CsvConfiguration(CultureInfo.InvariantCulture) { TrimOptions = TrimOptions.Trim, BadDataFound = OnBadData };
    }

    public CsvConfiguration Configuration { get; }

    /// <summary>Called after each record is read: refuses bad quoting, then a field count unlike the header's.</summary>
    public void Check(IParser parser, int headerFields)
    {
        _ = parser.Record; // CsvHelper processes fields, and finds bad quoting, only when they are read
        if (parser.Count != headerFields)
            throw new DataException($"{_file}:{parser.RawRow}: {parser.Count} field(s), but the header has {headerFields}");
        (_lastLine, _lastRecord) = (parser.RawRow, parser.Row);
    }

    private void OnBadData(BadDataFoundArgs bad)
    {
        var record = bad.RawRecord ?? "";
        var offset = Math.Max(0, record.IndexOf(bad.Field, StringComparison.Ordinal));
        // The record starts after the last checked one (records in between, such as the header, are one line each).
        var (line, field) = (_lastLine + (bad.Context.Parser?.Row ?? _lastRecord + 1) - _lastRecord, 1);
        var quoted = false;
        for (var i = 0; i < offset; i++)
        {
            switch (record[i])
            {
                case '"': quoted = !quoted; break;
                case ',' when !quoted: field++; break;
                case '\n': line++; break;
            }
        }
        var text = bad.Field.TrimStart();
        var unclosed = text.StartsWith('"') && text.Count(c => c == '"') % 2 == 1;
        throw new DataException(unclosed
            ? $"{_file}:{line}: field {field}: a quoted field opens here and its quote is never closed"
            : $"{_file}:{line}: field {field}: malformed quoting (a quote inside an unquoted field, or text after a closing quote); quote the whole field and double any quote inside it");
    }
}
