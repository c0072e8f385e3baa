using Nachos.Shared.Data;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Bundle;

/// <summary>
/// The images <c>nachos predict</c> is given, as one manifest: image files (each its own sample, its id the path as
/// given), folders (every PNG, JPEG and BMP file below, in ordinal order, ids the folder joined with the relative path)
/// and CSV manifests in the format <c>nachos run</c> reads, with the columns the bundle names (their ids and truth kept).
/// </summary>
public static class PredictInputs
{
    /// <summary>The image file extensions a folder is searched for (what the decoder reads).</summary>
    public static readonly IReadOnlyList<string> ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp"];

    /// <param name="siteColumn">A manifest column naming each image's site, read into its sample's site (images given by path have none).</param>
    /// <exception cref="DataException">A missing input, an empty folder, a malformed manifest (or one without the site column), or an image given twice; naming it.</exception>
    public static Manifest Resolve(IReadOnlyList<string> inputs, BundleManifest bundle, string? siteColumn = null)
    {
        var task = SpecNames.Tasks[bundle.Task];
        var samples = new List<Sample>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                var files = Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
                    .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .Select(f => Path.GetRelativePath(input, f)).Order(StringComparer.Ordinal).ToList();
                if (files.Count == 0) throw new DataException($"{input}: no PNG, JPEG or BMP image in this folder");
                samples.AddRange(files.Select(f => File(Path.Combine(input, f).Replace('\\', '/'))));
            }
            else if (!System.IO.File.Exists(input)) throw new DataException($"{input}: no such image file, folder or manifest");
            else if (Path.GetExtension(input).Equals(".csv", StringComparison.OrdinalIgnoreCase))
            {
                var c = bundle.ManifestColumns;
                var spec = new DatasetSpec(DatasetFormat.Csv, Path.GetFullPath(input), c.Image, c.Labels, bundle.Classes, null, siteColumn, null, c.Mask,
                    BadImagePolicy.Error, [], null);
                samples.AddRange(CsvManifestReader.Read(spec, task).Samples);
            }
            else samples.Add(File(input));
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in samples)
            if (!seen.Add(s.Id)) throw new DataException($"{s.Id}: given twice (as a file, in a folder or in a manifest)");
        return new Manifest(string.Join(", ", inputs), task, bundle.Classes, samples);
    }

    /// <summary>An image given by path: no manifest line, no known truth.</summary>
    private static Sample File(string path) => new(path, 0, Path.GetFullPath(path), [], null, path, null, null);
}
