using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Nachos.Shared.Data;
using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;

namespace Nachos.Shared.Evaluation;

/// <summary>One evaluated image: its patient (the bootstrap's unit), its site (null without a site column) and its prediction.</summary>
public sealed record EvaluatedImage(string Id, string Patient, string? Site, Prediction Prediction);

/// <summary>The predictions <c>nachos evaluate</c> scores: the task kind, the classes (binary: the second is the positive one) and the images.</summary>
public sealed record EvaluationSet(string File, TaskKind Task, IReadOnlyList<string> Classes, IReadOnlyList<EvaluatedImage> Images, bool HasSites);

/// <summary>A segmentation row of an evaluation CSV: the predicted and true mask files (resolved), and the optional probability map.</summary>
public sealed record MaskCase(int Line, string Id, string Patient, string? Site, string Mask, string TrueMask, string? ProbabilityMap);

/// <summary>
/// The evaluation CSV (docs/evaluation.md): the predictions.csv format of <see cref="PredictionsFile"/> with the <c>set</c>
/// column optional and two optional columns, <c>patient_id</c> (default: the image's own id) and <c>site</c>; for
/// segmentation either mask files (<c>mask</c>, <c>true_mask</c>, optional <c>probabilities</c>) or, as in Nachos's own
/// segmentation predictions, the per-image score columns. Every error names the file, and the line and column at fault.
/// </summary>
public static class EvaluationInput
{
    public const string Patient = "patient_id", Site = "site", Mask = "mask", TrueMask = "true_mask", ProbabilityMap = "probabilities";

    /// <summary>The task kind a file's header says: <c>true_mask</c> or the score columns: segmentation; a <c>true_{class}</c> per
    /// <c>p_{class}</c>: multi-label; two <c>p_</c> columns: binary; more: multi-class.</summary>
    public static TaskKind InferTask(string path)
    {
        var header = Header(path);
        if (header.Contains(TrueMask) || (header.Contains("dice") && header.Contains(Mask))) return TaskKind.Segmentation;
        var classes = header.Where(h => h.StartsWith("p_", StringComparison.Ordinal)).Select(h => h[2..]).ToArray();
        if (classes.Length > 0 && classes.All(c => header.Contains($"true_{c}"))) return TaskKind.Multilabel;
        return classes.Length switch
        {
            0 => throw new InvalidDataException($"{path}: no p_<class> column in the header line"),
            1 => throw new InvalidDataException($"{path}: one p_<class> column; a binary task needs one per class (the second is the positive class)"),
            2 => TaskKind.Binary,
            _ => TaskKind.Multiclass,
        };
    }

    /// <summary>Whether a segmentation file is scored from mask files (it has a <c>true_mask</c> column) rather than its score columns.</summary>
    public static bool HasMaskFiles(string path) => Header(path).Contains(TrueMask);

    /// <summary>A classification file, or a segmentation file with per-image score columns (Nachos's own predictions.csv).</summary>
    /// <param name="classes">When given, the <c>p_</c> columns must name exactly these classes; the probabilities are put in this order.</param>
    /// <param name="set">When given, only the rows of this set; without it a file with rows of several sets is an error.</param>
    public static EvaluationSet ReadPredictions(string path, TaskKind task, IReadOnlyList<string>? classes = null, string? set = null)
    {
        var table = PredictionsFile.Read(path, task, requireSet: false);
        var order = Order(path, table.Classes, classes);
        var rows = SelectSet(path, table.Rows, set);
        IReadOnlyList<string> scoreColumns = [];
        if (task == TaskKind.Segmentation)
        {
            scoreColumns = [.. ImageScores.Columns, .. ImageScores.ClassColumns(classes ?? table.Classes)];
            if (scoreColumns.FirstOrDefault(c => !table.ExtraColumns.Contains(c)) is { } missing)
                throw new InvalidDataException($"{path}: no column '{missing}' in the header line (or a '{TrueMask}' column to score mask files)");
        }
        var images = rows.Select(r => new EvaluatedImage(r.SampleId, PatientOf(r.SampleId, r.Extra?.GetValueOrDefault(Patient)), r.Extra?.GetValueOrDefault(Site),
            new Prediction(r.SampleId, Relabel(task, r.Labels, order), order.Select(i => r.Probabilities[i]).ToArray(),
                task == TaskKind.Segmentation ? ReportInputs.ImageScoresOf(r, scoreColumns, path) : null))).ToList();
        return new EvaluationSet(path, task, classes ?? table.Classes, images, table.ExtraColumns.Contains(Site));
    }

    /// <summary>The rows of a segmentation file with mask files; relative paths against <paramref name="masksDir"/> (default: the file's folder).</summary>
    public static IReadOnlyList<MaskCase> ReadMaskCases(string path, string? masksDir = null, string? set = null)
    {
        var root = masksDir ?? Path.GetDirectoryName(Path.GetFullPath(path))!;
        var cases = new List<MaskCase>();
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture));
        try
        {
            if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { } header)
                throw new InvalidDataException($"{path}: no header line");
            foreach (var column in new[] { "sample_id", Mask, TrueMask })
                if (!header.Contains(column)) throw new InvalidDataException($"{path}: no column '{column}' in the header line");
            bool hasSet = header.Contains("set"), hasPatient = header.Contains(Patient), hasSite = header.Contains(Site), hasMap = header.Contains(ProbabilityMap);
            var seen = new Dictionary<string, int>();
            var sets = new SortedSet<string>(StringComparer.Ordinal);
            while (csv.Read())
            {
                var line = csv.Parser.RawRow;
                if (csv.Parser.Count != header.Length)
                    throw new InvalidDataException($"{path}:{line}: {csv.Parser.Count} fields where the header line has {header.Length}");
                var rowSet = hasSet ? csv.GetField("set")! : "";
                sets.Add(rowSet);
                if (set is not null && rowSet != set) continue;
                var id = csv.GetField("sample_id")!;
                if (id.Length == 0) throw new InvalidDataException($"{path}:{line}: column 'sample_id' is empty");
                if (!seen.TryAdd(id, line)) throw new InvalidDataException($"{path}:{line}: column 'sample_id' repeats the sample of line {seen[id]}");
                string File(string column)
                {
                    var relative = csv.GetField(column)!;
                    if (relative.Length == 0) throw new InvalidDataException($"{path}:{line}: column '{column}' is empty");
                    var full = Path.GetFullPath(Path.Combine(root, relative));
                    return System.IO.File.Exists(full) ? full : throw new InvalidDataException($"{path}:{line}: column '{column}': no such file {full}");
                }
                var map = hasMap && csv.GetField(ProbabilityMap) is { Length: > 0 } ? File(ProbabilityMap) : null;
                cases.Add(new MaskCase(line, id, PatientOf(id, hasPatient ? csv.GetField(Patient) : null), hasSite ? csv.GetField(Site) : null,
                    File(Mask), File(TrueMask), map));
            }
            if (set is null && sets.Count > 1) throw SeveralSets(path, sets);
            return cases;
        }
        catch (CsvHelperException)
        {
            // Its message quotes the raw record.
            throw new InvalidDataException($"{path}:{csv.Parser.RawRow}: not valid CSV");
        }
    }

    /// <summary>
    /// Scores each mask case with <see cref="ImageScores.Of"/>. A mask that cannot be read, or whose size differs from its
    /// true mask's, is an error naming the file's line and column. Without a probability map the pixel AUROC is left undefined.
    /// </summary>
    /// <param name="labels">Reads a mask file as a label map: (height, width, class index per pixel); a <see cref="DataException"/> when it cannot.</param>
    /// <param name="probabilities">Reads a probability map file: (height, width, foreground probability per pixel).</param>
    public static EvaluationSet ScoreMasks(string path, IReadOnlyList<MaskCase> cases, IReadOnlyList<string> classes, double tolerance,
        Func<string, int, (int Height, int Width, byte[] Labels)> labels, Func<string, (int Height, int Width, double[] Values)> probabilities)
    {
        if (cases.Count == 0) throw new InvalidDataException($"{path}: no prediction rows");
        var images = new EvaluatedImage[cases.Count];
        var errors = new InvalidDataException?[cases.Count];
        Parallel.For(0, cases.Count, i =>
        {
            try { images[i] = Score(path, cases[i], classes, tolerance, labels, probabilities); }
            catch (InvalidDataException e) { errors[i] = e; }
        });
        // The first bad row in the file's order, whatever the thread count.
        if (errors.FirstOrDefault(e => e is not null) is { } first) throw first;
        return new EvaluationSet(path, TaskKind.Segmentation, classes, images, images.Any(i => i.Site is not null));
    }

    private static EvaluatedImage Score(string path, MaskCase c, IReadOnlyList<string> classes, double tolerance,
        Func<string, int, (int Height, int Width, byte[] Labels)> labels, Func<string, (int Height, int Width, double[] Values)> probabilities)
    {
        T Read<T>(string column, Func<T> read)
        {
            try { return read(); }
            catch (DataException e) { throw new InvalidDataException($"{path}:{c.Line}: column '{column}': {e.Message}"); }
        }
        var truth = Read(TrueMask, () => labels(c.TrueMask, classes.Count));
        var predicted = Read(Mask, () => labels(c.Mask, classes.Count));
        if ((predicted.Height, predicted.Width) != (truth.Height, truth.Width))
            throw new InvalidDataException($"{path}:{c.Line}: column '{Mask}': the mask is {predicted.Width} × {predicted.Height} pixels but the true mask is {truth.Width} × {truth.Height}");
        IReadOnlyList<IReadOnlyList<double>> foreground;
        if (c.ProbabilityMap is { } file)
        {
            var p = Read(ProbabilityMap, () => probabilities(file));
            if ((p.Height, p.Width) != (truth.Height, truth.Width))
                throw new InvalidDataException($"{path}:{c.Line}: column '{ProbabilityMap}': the map is {p.Width} × {p.Height} pixels but the true mask is {truth.Width} × {truth.Height}");
            // One map: the probability of any foreground, which ranks the pixels of every foreground class alike.
            foreground = Enumerable.Repeat<IReadOnlyList<double>>(p.Values, classes.Count - 1).ToList();
        }
        else foreground = Enumerable.Repeat<IReadOnlyList<double>>(new double[truth.Labels.Length], classes.Count - 1).ToList();
        var scores = ImageScores.Of(truth.Height, truth.Width, Ints(truth.Labels), Ints(predicted.Labels), classes.Count, foreground, tolerance);
        if (c.ProbabilityMap is null) scores = WithoutPixelAuroc(scores);
        return new EvaluatedImage(c.Id, c.Patient, c.Site, new Prediction(c.Id, [], [], scores.ByName(classes)));
    }

    private static ImageScores WithoutPixelAuroc(ImageScores s) =>
        s with { PixelAuroc = null, PerClass = s.PerClass?.Select(p => p with { PixelAuroc = null }).ToList() };

    private static int[] Ints(byte[] labels)
    {
        var result = new int[labels.Length];
        for (var i = 0; i < labels.Length; i++) result[i] = labels[i];
        return result;
    }

    private static string[] Header(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture));
        try
        {
            return csv.Read() && csv.ReadHeader() && csv.HeaderRecord is { } header ? header : throw new InvalidDataException($"{path}: no header line");
        }
        catch (CsvHelperException)
        {
            throw new InvalidDataException($"{path}:1: not valid CSV");
        }
    }

    private static string PatientOf(string id, string? patient) => string.IsNullOrEmpty(patient) ? id : patient;

    /// <summary>Per wanted class, its index among the file's; the file's own order without <paramref name="wanted"/>.</summary>
    private static int[] Order(string path, IReadOnlyList<string> found, IReadOnlyList<string>? wanted)
    {
        if (wanted is null) return Enumerable.Range(0, found.Count).ToArray();
        var index = found.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i);
        if (wanted.FirstOrDefault(c => !index.ContainsKey(c)) is { } absent) throw new InvalidDataException($"{path}: no column 'p_{absent}' in the header line (--classes names it)");
        if (found.FirstOrDefault(c => !wanted.Contains(c)) is { } extra) throw new InvalidDataException($"{path}: column 'p_{extra}' names a class --classes does not");
        return wanted.Select(c => index[c]).ToArray();
    }

    private static IReadOnlyList<int> Relabel(TaskKind task, IReadOnlyList<int> labels, int[] order) =>
        task == TaskKind.Multilabel ? order.Select(i => labels[i]).ToArray() : [Array.IndexOf(order, labels[0])];

    private static IReadOnlyList<PredictionRow> SelectSet(string path, IReadOnlyList<PredictionRow> rows, string? set)
    {
        if (set is not null)
        {
            var chosen = rows.Where(r => r.Set == set).ToList();
            return chosen.Count > 0 ? chosen : throw new InvalidDataException($"{path}: no row of set '{set}'");
        }
        var sets = new SortedSet<string>(rows.Select(r => r.Set), StringComparer.Ordinal);
        if (sets.Count > 1) throw SeveralSets(path, sets);
        return rows.Count > 0 ? rows : throw new InvalidDataException($"{path}: no prediction rows");
    }

    private static InvalidDataException SeveralSets(string path, IEnumerable<string> sets) =>
        new($"{path}: column 'set' holds rows of {sets.Count()} sets; choose one with --set");
}
