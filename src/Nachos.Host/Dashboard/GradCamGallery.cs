using Nachos.Shared.Files;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Training.Explain;

namespace Nachos.Host.Dashboard;

/// <summary>One gallery case's Grad-CAM: the class it explains and the overlay (<see cref="GradCamOverlay"/>) as a PNG.</summary>
public sealed record GradCamPicture(int Class, byte[] Png);

/// <summary>The Grad-CAM overlays of a gallery's cases by sample id, and why some or all are missing (null when none is).</summary>
public sealed record GradCamView(IReadOnlyDictionary<string, GradCamPicture> Cases, string? Unavailable)
{
    public static GradCamView None(string why) => new(new Dictionary<string, GradCamPicture>(), why);
}

/// <summary>
/// Grad-CAM of the cases a classification model's gallery shows (and only those), computed from its task folder's
/// model.pt on CPU and cached as PNGs in the task folder's <see cref="RunLayout.GradCam"/> folder (written whole, then
/// renamed into place), so the next page or export reads them back. Each case is explained for the class the model
/// predicted (multi-label: its most probable label).
/// </summary>
public static class GradCamGallery
{
    public static GradCamView Of(StudyRun run, ModelEvaluation model, IReadOnlyList<RankedCase> shown)
    {
        if (run.Spec.Execution.Trainer != TrainerKind.Torch)
            return GradCamView.None("No Grad-CAM: this study's trainer is simulated, so its models have no network weights to explain.");
        if (model.Task == TaskKind.Segmentation) return GradCamView.None("No Grad-CAM for segmentation models.");
        var modelFile = RunLayout.ModelPath(model.Folder);
        if (!File.Exists(modelFile)) return GradCamView.None($"No Grad-CAM: {modelFile} is missing.");
        var info = new FileInfo(modelFile);
        var stamp = $"{info.Length}:{info.LastWriteTimeUtc.Ticks}";
        var wanted = shown.Select(c => (c.Case.SampleId, Class: ClassOf(model.Task, c))).DistinctBy(c => c.SampleId).ToList();
        var pictures = new Dictionary<string, GradCamPicture>();
        var missing = new List<(string SampleId, int Class)>();
        foreach (var c in wanted)
        {
            var path = RunLayout.GradCamPath(model.Folder, c.SampleId, c.Class, stamp);
            if (Cached(path) is { } png) pictures[c.SampleId] = new GradCamPicture(c.Class, png);
            else missing.Add(c);
        }
        if (missing.Count == 0) return new GradCamView(pictures, null);
        try
        {
            foreach (var (id, cls, png) in Compute(run, model, missing))
            {
                pictures[id] = new GradCamPicture(cls, png);
                Store(RunLayout.GradCamPath(model.Folder, id, cls, stamp), png);
            }
            return new GradCamView(pictures, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new GradCamView(pictures, $"Grad-CAM could not be computed for {missing.Count} case(s): {e.Message}");
        }
    }

    /// <summary>The class a case is explained for: the predicted one (multi-label: the most probable label).</summary>
    public static int ClassOf(TaskKind task, RankedCase c)
    {
        if (task != TaskKind.Multilabel) return c.Predicted[0];
        var p = c.Case.Probabilities;
        var best = 0;
        for (var i = 1; i < p.Count; i++)
            if (p[i] > p[best]) best = i;
        return best;
    }

    private static IEnumerable<(string SampleId, int Class, byte[] Png)> Compute(StudyRun run, ModelEvaluation model, IReadOnlyList<(string SampleId, int Class)> cases)
    {
        var (data, config, norm) = TaskInputs.Of(run, model, cases.Select(c => c.SampleId));
        var (h, w) = (run.Spec.Image.Height, run.Spec.Image.Width);
        foreach (var g in TaskExplanations.GradCams(run.Spec, data, model.Key, model.Folder, config, norm, cases))
        {
            // At most a thumbnail's size, as the case image beside it: an export holds one per case and model.
            var (pixels, width, height) = CaseImages.Shrink(GradCamOverlay.Render(g.Image, g.Map, h, w), w, h, 3);
            yield return (g.SampleId, g.Class, CaseImages.Encode(pixels, width, height, 3));
        }
    }

    private static byte[]? Cached(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllBytes(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Best effort: a read-only run directory still gets its page, computed again next time.</summary>
    private static void Store(string path, byte[] png)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.Write(path, temporary => File.WriteAllBytes(temporary, png));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
