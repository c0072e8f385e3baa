using CsvHelper;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Data;

/// <summary>
/// Reads a CSV manifest: image path relative to the manifest, label column(s), optional mask, group, site and fold.
/// For task segmentation the mask column is required and there is no label column: each sample's labels are [0]
/// (the manifest is read without decoding any image or mask). Errors name the file, line and column but never quote the file's content: the file may not be a manifest at all.
/// </summary>
public static class CsvManifestReader
{
    public static Manifest Read(DatasetSpec spec, TaskKind task)
    {
        var file = spec.Path;
        var root = Path.GetDirectoryName(file)!;
        using var reader = new StreamReader(file);
        var rows = new ManifestCsv(file);
        using var csv = new CsvReader(reader, rows.Configuration);
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is null)
            throw new DataException($"{file}: empty manifest (no header line)");
        var header = csv.HeaderRecord;
        string? Column(string? name, string key)
        {
            if (name is null) return null;
            if (!header.Contains(name))
                throw new DataException($"{file}: column '{name}' (dataset.{key}) is not in the header line");
            return name;
        }
        var imageCol = Column(spec.ImageColumn, "image_column")!;
        foreach (var l in spec.LabelColumns) Column(l, "label_columns");
        var maskCol = Column(spec.MaskColumn, "mask_column");
        if (task == TaskKind.Segmentation && maskCol is null)
            throw new DataException($"{file}: task segmentation needs dataset.mask_column (the column of each image's mask)");
        var groupCol = Column(spec.GroupColumn, "group_column");
        var siteCol = Column(spec.SiteColumn, "site_column");
        var foldCol = Column(spec.FoldColumn, "fold_column");

        var classes = task == TaskKind.Multilabel ? spec.LabelColumns : spec.Classes;
        var classIndex = classes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i);
        var samples = new List<Sample>();
        var seen = new Dictionary<string, int>();
        while (csv.Read())
        {
            rows.Check(csv.Parser, header.Length);
            var line = csv.Parser.RawRow;
            string Field(string col)
            {
                var v = csv.GetField(col) ?? "";
                return v;
            }
            var image = Field(imageCol);
            if (image.Length == 0) throw new DataException($"{file}:{line}: column '{imageCol}' is empty");
            if (seen.TryGetValue(image, out var first))
                throw new DataException($"{file}:{line}: column '{imageCol}' names the same image as line {first}");
            seen[image] = line;

            int[] labels;
            if (task == TaskKind.Segmentation)
            {
                labels = [0];
            }
            else if (task == TaskKind.Multilabel)
            {
                labels = spec.LabelColumns.Select(col => Field(col) switch
                {
                    "1" or "true" or "True" => 1,
                    "0" or "false" or "False" => 0,
                    _ => throw new DataException($"{file}:{line}: column '{col}' must be 0 or 1 (or true/false)"),
                }).ToArray();
            }
            else
            {
                var col = spec.LabelColumns[0];
                var v = Field(col);
                if (!classIndex.TryGetValue(v, out var idx))
                    throw new DataException($"{file}:{line}: column '{col}' does not hold a declared class ({string.Join(", ", classes)})");
                labels = [idx];
            }
            string? Optional(string? col) => col is null ? null : Field(col) is { Length: > 0 } v ? v : null;
            var group = Optional(groupCol);
            if (groupCol is not null && group is null) throw new DataException($"{file}:{line}: column '{groupCol}' is empty");
            var mask = Optional(maskCol);
            if (task == TaskKind.Segmentation && mask is null)
                throw new DataException($"{file}:{line}: column '{maskCol}' is empty; task segmentation needs a mask for every image");
            samples.Add(new Sample(
                image, line, Path.GetFullPath(Path.Combine(root, image)), labels,
                mask is null ? null : Path.GetFullPath(Path.Combine(root, mask)),
                group ?? image, Optional(siteCol), Optional(foldCol)));
        }
        if (samples.Count == 0) throw new DataException($"{file}: the manifest lists no images");
        return new Manifest(file, task, classes, samples);
    }
}
