using System.Globalization;
using CsvHelper;
using Nachos.Shared.Files;
using Nachos.Shared.Metrics.Segmentation;

namespace Nachos.Shared.Study;

/// <summary>
/// One image of an ensemble table: its outer fold (none for an external set), set, the rule chosen on inner
/// validation, each rule's Dice, each model's Dice (null where the row's fold has fewer models than the table's
/// columns) and the oracle.
/// </summary>
public sealed record EnsembleRow(int? Outer, string Set, string Image, EnsembleRule Chosen, IReadOnlyDictionary<EnsembleRule, double> Rules,
    IReadOnlyList<double?> Models, double Oracle);

/// <summary>An ensemble table read whole: its model columns (in order) and its rows.</summary>
public sealed record EnsembleTable(IReadOnlyList<string> Models, IReadOnlyList<EnsembleRow> Rows);

/// <summary>
/// The one format of <c>nachos ensemble</c>'s CSV (docs/cli.md), its writer and its reader. Columns: <c>outer_fold, set,
/// image, chosen_rule</c>, one per rule (<c>union, intersection, majority, mean-probability</c>), one per model
/// (<c>trial_1</c>… by rank; <c>{study}_t{n}</c> per candidate trial for several studies; or <c>refit_o{k}</c> for an
/// external set), <c>oracle</c>. Errors name the file, line and
/// column and never quote the file.
/// </summary>
public static class EnsembleFile
{
    public const string Validation = "validation", Test = "test", External = "external";

    private static readonly string[] Fixed = ["outer_fold", "set", "image", "chosen_rule"];

    public static IReadOnlyList<EnsembleRule> Rules { get; } = Enum.GetValues<EnsembleRule>();

    /// <summary>A rule's column name and its name in <c>chosen_rule</c>.</summary>
    public static string Name(EnsembleRule rule) => rule == EnsembleRule.MeanProbability ? "mean-probability" : rule.ToString().ToLowerInvariant();

    /// <summary>The model column of the trial ranked <paramref name="rank"/> (from 1) among an ensemble's candidates.</summary>
    public static string TrialColumn(int rank) => $"trial_{rank}";

    /// <summary>The model column of a candidate of several studies' ensemble: its study and trial index.</summary>
    public static string CandidateColumn(EnsembleCandidate candidate) => $"{candidate.Study}_t{candidate.Trial}";

    /// <summary>The model column of outer fold <paramref name="outer"/>'s refit.</summary>
    public static string RefitColumn(int outer) => $"refit_o{outer}";

    /// <summary>The candidate a <see cref="CandidateColumn"/> names; null for another column.</summary>
    public static EnsembleCandidate? CandidateOf(string column) =>
        column.LastIndexOf("_t", StringComparison.Ordinal) is var at and > 0 && Number(column[(at + 2)..]) is { } trial
            ? new EnsembleCandidate(column[..at], trial) : null;

    /// <summary>The outer fold a <see cref="RefitColumn"/> names; null for another column.</summary>
    public static int? RefitOf(string column) => column.StartsWith("refit_o", StringComparison.Ordinal) ? Number(column["refit_o".Length..]) : null;

    private static int? Number(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>The rows of one fold's ensemble: its validation images, then its test images.</summary>
    public static IEnumerable<EnsembleRow> RowsOf(FoldEnsemble e) =>
        RowsOf(e.Outer, Validation, e.Chosen, e.Validation).Concat(RowsOf(e.Outer, Test, e.Chosen, e.Test));

    /// <summary>
    /// The rows of one fold's ensemble against the table's candidate columns (<see cref="CandidateColumn"/>): each
    /// candidate's Dice in its column, empty in the columns of candidates of other folds.
    /// </summary>
    public static IEnumerable<EnsembleRow> RowsOf(FoldEnsemble e, IReadOnlyList<EnsembleCandidate> columns)
    {
        if (e.Candidates.FirstOrDefault(c => !columns.Contains(c)) is { } missing)
            throw new ArgumentException($"outer fold {e.Outer}: candidate {missing} has no column", nameof(columns));
        var model = e.Candidates.Select((c, m) => (c, m)).ToDictionary(p => p.c, p => p.m);
        return RowsOf(e).Select(row => row with { Models = columns.Select(c => model.TryGetValue(c, out var m) ? row.Models[m] : null).ToList() });
    }

    public static IEnumerable<EnsembleRow> RowsOf(int? outer, string set, EnsembleRule chosen, EnsembleScores scores) =>
        scores.Images.Select(i => new EnsembleRow(outer, set, i.Id, chosen, i.RuleDice, i.ModelDice.Select(d => (double?)d).ToList(), i.Oracle));

    public static void Write(string path, IReadOnlyList<string> models, IEnumerable<EnsembleRow> rows) => AtomicFile.Write(path, temporary =>
    {
        using var writer = new StreamWriter(temporary);
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        foreach (var h in Fixed) csv.WriteField(h);
        foreach (var rule in Rules) csv.WriteField(Name(rule));
        foreach (var m in models) csv.WriteField(m);
        csv.WriteField("oracle");
        csv.NextRecord();
        foreach (var row in rows)
        {
            if (row.Models.Count > models.Count) throw new ArgumentException($"a row has {row.Models.Count} models for {models.Count} model columns", nameof(rows));
            csv.WriteField(row.Outer?.ToString(CultureInfo.InvariantCulture) ?? "");
            csv.WriteField(row.Set);
            csv.WriteField(row.Image);
            csv.WriteField(Name(row.Chosen));
            foreach (var rule in Rules) csv.WriteField(R(row.Rules[rule]));
            for (var m = 0; m < models.Count; m++) csv.WriteField(m < row.Models.Count && row.Models[m] is { } d ? R(d) : "");
            csv.WriteField(R(row.Oracle));
            csv.NextRecord();
        }
    });

    /// <summary>Reads a file <see cref="Write"/> wrote; an <see cref="InvalidDataException"/> naming the line and column when it is not one.</summary>
    public static EnsembleTable Read(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        try
        {
            if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { } header) throw new InvalidDataException($"{path}: no header line");
            string[] expected = [.. Fixed, .. Rules.Select(Name)];
            for (var i = 0; i < expected.Length; i++)
                if (i >= header.Length || header[i] != expected[i]) throw new InvalidDataException($"{path}: header column {i + 1} is not '{expected[i]}'");
            if (header[^1] != "oracle" || header.Length == expected.Length) throw new InvalidDataException($"{path}: the header line does not end with 'oracle'");
            var models = header[expected.Length..^1];
            var rows = new List<EnsembleRow>();
            var rules = Rules.ToDictionary(Name);
            while (csv.Read())
            {
                var line = csv.Parser.RawRow;
                if (csv.Parser.Count != header.Length) throw new InvalidDataException($"{path}:{line}: {csv.Parser.Count} fields where the header line has {header.Length}");
                var outerText = csv.GetField("outer_fold")!;
                int? outer = outerText == "" ? null
                    : int.TryParse(outerText, NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o
                    : throw new InvalidDataException($"{path}:{line}: column 'outer_fold' is not a fold number");
                var set = csv.GetField("set")!;
                if (set is not (Validation or Test or External)) throw new InvalidDataException($"{path}:{line}: column 'set' is not validation, test or external");
                var chosen = rules.TryGetValue(csv.GetField("chosen_rule")!, out var c) ? c
                    : throw new InvalidDataException($"{path}:{line}: column 'chosen_rule' names no rule");
                double Number(string column) => Optional(column) ?? throw new InvalidDataException($"{path}:{line}: column '{column}' is empty");
                double? Optional(string column) => csv.GetField(column) is not { Length: > 0 } text ? null
                    : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v
                    : throw new InvalidDataException($"{path}:{line}: column '{column}' is not a number");
                rows.Add(new EnsembleRow(outer, set, csv.GetField("image")!, chosen, Rules.ToDictionary(r => r, r => Number(Name(r))),
                    models.Select(Optional).ToList(), Number("oracle")));
            }
            return new EnsembleTable(models, rows);
        }
        catch (CsvHelperException)
        {
            // Its message quotes the raw record.
            throw new InvalidDataException($"{path}:{csv.Parser.RawRow}: not valid CSV");
        }
    }

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
