using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Nachos.Host.Cli;
using Nachos.Shared.Bundle;
using Nachos.Shared.Data;
using Nachos.Shared.Predictions;
using Nachos.Shared.Registry;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Training.Bundle;
using Nachos.Training.Data;
using Nachos.Training.Engine;
using Nachos.Training.Images;
using Spectre.Console;
using TorchSharp;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos predict BUNDLE INPUT... --out FILE</c>: a bundled model's probabilities and predicted label for every image
/// given (files, folders, manifests), in the predictions format (set <c>predict</c>); for segmentation also each image's
/// predicted mask and probability map as PNGs under <c>masks/predict/</c> beside FILE. Nothing is written before every input is read and
/// decoded.
/// </summary>
public static partial class PredictCommand
{
    /// <summary>The set name of nachos predict's rows in its predictions file.</summary>
    public const string Set = "predict";

    public static Command Create()
    {
        var bundle = new Argument<string>("bundle") { Description = "a bundle folder or its archive (nachos bundle)" };
        var inputs = new Argument<string[]>("input") { Description = "image files, folders of images, or CSV manifests (the format nachos run reads)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "the predictions CSV to write", Required = true };
        var device = new Option<string>("--device") { Description = "cpu or cuda:N", DefaultValueFactory = _ => "cpu" };
        var site = new Option<string?>("--site-column")
        {
            Description = "a manifest column naming each image's site (hospital, scanner): written as the predictions' site column, which the registry's models page scores per site",
        };
        var command = new Command("predict", "predict images with a model bundle: probabilities and predicted label per image (masks for segmentation)")
            { bundle, inputs, output, device, site };
        command.SetAction(r => Run(r.GetValue(bundle)!, r.GetValue(inputs)!, r.GetValue(output)!, r.GetValue(device)!, r.GetValue(site)));
        return command;
    }

    [GeneratedRegex("^(cpu|cuda:[0-9]+)$")]
    private static partial Regex DevicePattern();

    private static int Run(string bundlePath, IReadOnlyList<string> inputs, string outFile, string device, string? siteColumn)
    {
        if (!DevicePattern().IsMatch(device)) return ExitCodes.Refuse($"--device {device}: expected cpu or cuda:N");
        if (device != "cpu" && !torch.cuda.is_available()) return ExitCodes.Refuse($"--device {device}: no CUDA device here (this build or machine has none)");
        var outFull = Path.GetFullPath(outFile);
        if (Directory.Exists(outFull)) return ExitCodes.Refuse($"--out {outFile}: is a folder; give the predictions CSV to write");
        LoadedBundle bundle;
        Manifest manifest;
        LoadedDataset? data = null;
        try
        {
            bundle = BundleFiles.Read(bundlePath);
            manifest = PredictInputs.Resolve(inputs, bundle.Manifest, siteColumn);
            // A single classifier reads each batch's images just before the batch runs (nothing is written until the
            // end). A fold ensemble's members all predict the same images, and segmentation writes masks as it goes: both
            // decode everything first. The members share the input size (FoldEnsembleManifest); each normalises with its own statistics.
            if (bundle.Members is { } members || SpecNames.Tasks[bundle.Manifest.Task] == TaskKind.Segmentation)
            {
                var p = (bundle.Members is { } m ? m[0].Manifest : bundle.Manifest).Preprocessing!;
                data = Decode(manifest, new ImageSpec(p.Height, p.Width, p.Channels, p.MaxPixels));
            }
        }
        catch (Exception e) when (e is BundleException or DataException)
        {
            return ExitCodes.Refuse(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ExitCodes.Refuse($"cannot read an input ({e.GetType().Name}: {e.Message})");
        }

        if (bundle.Members is { } ensemble) return RunEnsemble(bundle, ensemble, data!, outFull, device, siteColumn);
        BundledModel model;
        try
        {
            model = BundledModel.Load(bundle, device);
        }
        catch (BundleException e)
        {
            return ExitCodes.Refuse(e.Message);
        }
        using (model)
        {
            var ids = manifest.Samples.Select(s => s.Id).ToList();
            var clock = Stopwatch.StartNew();
            var batches = data is null ? model.Predict(manifest) : model.Predict(data, ids);
            List<PredictionRow> rows;
            try
            {
                rows = Console.IsOutputRedirected
                    ? Predict(model, manifest, batches, outFull, _ => { })
                    : AnsiConsole.Progress().Start(ctx =>
                    {
                        var bar = ctx.AddTask("predicting", maxValue: ids.Count);
                        return Predict(model, manifest, batches, outFull, n => bar.Increment(n));
                    });
            }
            catch (DataException e)
            {
                return ExitCodes.Refuse(e.Message);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return ExitCodes.Refuse($"cannot read an input ({e.GetType().Name}: {e.Message})");
            }
            var m = bundle.Manifest;
            string[] extra = model.Task == TaskKind.Segmentation ? ["mask", "probabilities"] : [];
            if (siteColumn is not null) (rows, extra) = (WithSites(rows, manifest), [.. extra, SiteMetrics.Column]);
            Directory.CreateDirectory(Path.GetDirectoryName(outFull)!);
            PredictionsFile.Write(outFull, model.Task, m.Classes, rows, extra, m.Decision.Threshold);
            var seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"predicted {ids.Count} image(s) in {seconds:0.00} s ({ids.Count / Math.Max(seconds, 1e-9):0.#} images/s); wrote {outFull}"));
            return ExitCodes.Ok;
        }
    }

    /// <summary>
    /// A fold ensemble: each member predicts every image through its own pipeline (its own normalisation statistics), one
    /// member loaded at a time; the rows hold the mean of the members' probabilities, read with the ensemble's threshold.
    /// </summary>
    private static int RunEnsemble(LoadedBundle bundle, IReadOnlyList<LoadedBundle> members, LoadedDataset data, string outFull, string device, string? siteColumn)
    {
        var ids = data.Manifest.Samples.Select(s => s.Id).ToList();
        var clock = Stopwatch.StartNew();
        List<IReadOnlyDictionary<string, double[]>> each;
        try
        {
            each = Console.IsOutputRedirected
                ? MemberProbabilities(members, device, data, ids, _ => { })
                : AnsiConsole.Progress().Start(ctx =>
                {
                    var bar = ctx.AddTask($"predicting with {members.Count} members", maxValue: (double)ids.Count * members.Count);
                    return MemberProbabilities(members, device, data, ids, n => bar.Increment(n));
                });
        }
        catch (BundleException e)
        {
            return ExitCodes.Refuse(e.Message);
        }
        var mean = FoldEnsembles.Average(each);
        var m = bundle.Manifest;
        var task = SpecNames.Tasks[m.Task];
        var first = members[0].Manifest;
        var (h, w) = (first.Preprocessing!.Height, first.Preprocessing.Width);
        var outDir = Path.GetDirectoryName(outFull)!;
        var rows = ids.Select(id => task == TaskKind.Segmentation
            ? SegmentationRow(m.Classes.Count, first.Network!.Outputs, id, mean[id].Select(v => (float)v).ToArray(), h, w, outDir)
            : new PredictionRow(id, Set, data.Manifest.ById[id].Labels, mean[id])).ToList();
        string[] extra = task == TaskKind.Segmentation ? ["mask", "probabilities"] : [];
        if (siteColumn is not null) (rows, extra) = (WithSites(rows, data.Manifest), [.. extra, SiteMetrics.Column]);
        Directory.CreateDirectory(outDir);
        PredictionsFile.Write(outFull, task, m.Classes, rows, extra, m.Decision.Threshold);
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"predicted {ids.Count} image(s) with a fold ensemble of {members.Count} in {seconds:0.00} s ({ids.Count / Math.Max(seconds, 1e-9):0.#} images/s); wrote {outFull}"));
        return ExitCodes.Ok;
    }

    private static List<IReadOnlyDictionary<string, double[]>> MemberProbabilities(IReadOnlyList<LoadedBundle> members, string device,
        LoadedDataset data, IReadOnlyList<string> ids, Action<int> done)
    {
        var each = new List<IReadOnlyDictionary<string, double[]>>();
        foreach (var member in members)
        {
            using var model = BundledModel.Load(member, device);
            var k = model.OutputsPerImage;
            var probabilities = new Dictionary<string, double[]>(StringComparer.Ordinal);
            foreach (var (batchIds, p) in model.Predict(data, ids))
            {
                for (var i = 0; i < batchIds.Count; i++)
                {
                    var row = new double[k];
                    for (var j = 0; j < k; j++) row[j] = p[i * k + j];
                    probabilities[batchIds[i]] = row;
                }
                done(batchIds.Count);
            }
            each.Add(probabilities);
        }
        return each;
    }

    /// <summary>Each row with its image's site (from the manifest's site column; empty for an image given by path).</summary>
    private static List<PredictionRow> WithSites(IEnumerable<PredictionRow> rows, Manifest manifest) =>
        rows.Select(r => r with
        {
            Extra = new Dictionary<string, string>(r.Extra ?? new Dictionary<string, string>()) { [SiteMetrics.Column] = manifest.ById[r.SampleId].Site ?? "" },
        }).ToList();

    /// <summary>Every image decoded as training decodes it, with a progress bar on a terminal.</summary>
    private static LoadedDataset Decode(Manifest manifest, ImageSpec image)
    {
        if (Console.IsOutputRedirected) return DatasetLoader.LoadImages(manifest, image);
        return AnsiConsole.Progress().Start(ctx =>
        {
            var bar = ctx.AddTask("decoding", maxValue: manifest.Samples.Count);
            return DatasetLoader.LoadImages(manifest, image, (done, _) => bar.Value = done);
        });
    }

    private static List<PredictionRow> Predict(BundledModel model, Manifest manifest, IEnumerable<(IReadOnlyList<string> Ids, float[] Probabilities)> batches,
        string outFile, Action<int> done)
    {
        var rows = new List<PredictionRow>();
        var k = model.OutputsPerImage;
        var segmentation = model.Task == TaskKind.Segmentation;
        var (h, w) = (model.Image.Height, model.Image.Width);
        var outDir = Path.GetDirectoryName(outFile)!;
        foreach (var (batchIds, probabilities) in batches)
        {
            for (var i = 0; i < batchIds.Count; i++)
            {
                var id = batchIds[i];
                var p = probabilities.AsSpan(i * k, k);
                if (segmentation) rows.Add(SegmentationRow(model.Manifest.Classes.Count, model.Manifest.Network!.Outputs, id, p.ToArray(), h, w, outDir));
                else rows.Add(new PredictionRow(id, Set, manifest.ById[id].Labels, p.ToArray().Select(v => (double)v).ToArray()));
            }
            done(batchIds.Count);
        }
        return rows;
    }

    /// <summary>A segmentation's row (each foreground class's largest probability) and its mask files, as the trainer writes them.</summary>
    private static PredictionRow SegmentationRow(int classes, int outputs, string id, float[] p, int h, int w, string outDir)
    {
        var (labels, foreground) = SegmentationHead.Decide(p, h * w, outputs, classes);
        var stem = RunLayout.MaskStem(Set, id);
        MaskFiles.WriteLabels(Path.Combine(outDir, stem + ".png"), labels, h, w, classes);
        MaskFiles.WriteProbability(Path.Combine(outDir, stem + ".prob.png"), SegmentationHead.AnyForeground(foreground), h, w);
        var extra = new Dictionary<string, string> { ["mask"] = stem + ".png", ["probabilities"] = stem + ".prob.png" };
        return new PredictionRow(id, Set, [], SegmentationHead.Presence(foreground), extra);
    }
}
