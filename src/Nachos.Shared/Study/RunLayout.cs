using Nachos.Shared.Tasks;

namespace Nachos.Shared.Study;

/// <summary>
/// The files of a run directory (a study's folder) and of its task folders: the one place that knows their names.
/// A task's folder is its <see cref="TaskAddress.Folder"/> below the run directory (docs/operations.md, "The campaign directory").
/// </summary>
public static class RunLayout
{
    // The run directory.
    public const string Spec = "spec.yaml";
    public const string SpecSource = "spec-source.txt";
    public const string Splits = "splits.json";
    public const string Report = "report.json";

    /// <summary>
    /// The folder <c>nachos deploy</c> adds to a finished study's run directory: a run directory of its own holding the same
    /// study with <c>deploy:</c> (its spec, plan, journal, deploy fold and report); the study's own files are not changed.
    /// </summary>
    public const string Deploy = "deploy";

    /// <summary>The software that ran the study (nachos, .NET and TorchSharp versions), written when the study is stored.</summary>
    public const string Software = "software.txt";
    public const string ReportCsv = "report.csv";


    /// <summary>A binary study's Brier score and reliability diagram per outer fold and pooled over the outer test predictions.</summary>
    public const string Calibration = "calibration.json";
    public const string Journal = "journal.db";

    /// <summary>Written when a study is cancelled (its UTC time); coordinators no longer start it.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Decoded, resized images shared by the study's tasks: one folder per dataset content key (docs/operations.md, "The image cache").</summary>
    public const string ImageCache = "image-cache";

    /// <summary>A segment of the image cache: an immutable file of decoded images, renamed into place whole.</summary>
    public const string ImageCacheSegmentExtension = ".seg";

    /// <summary>Held (flock) by the one process that decodes missing images into a cache folder.</summary>
    public const string ImageCacheLock = "lock";

    /// <summary>The per-image Dice of <c>nachos ensemble</c>'s rules and trials.</summary>
    public const string Ensemble = "ensemble.csv";

    /// <summary><c>nachos ensemble RUN_DIR --external</c>'s per-image Dice of the outer-fold refits on an external set.</summary>
    public const string EnsembleExternal = "ensemble-external.csv";

    /// <summary><c>nachos ensemble RUN_DIR RUN_DIR...</c>'s per-image Dice of several studies' candidates, in the first run directory.</summary>
    public const string EnsembleStudies = "ensemble-studies.csv";

    // A task folder.
    public const string History = "history.csv";
    public const string Predictions = "predictions.csv";
    public const string Metrics = "metrics.json";

    /// <summary>The final weights: the best validation epoch's, or the last epoch's for a refit.</summary>
    public const string Model = "model.pt";

    /// <summary>The best validation epoch's weights while training runs.</summary>
    public const string BestModel = "best.pt";

    /// <summary>The resumable state (a folder, replaced atomically on each save).</summary>
    public const string Checkpoint = "checkpoint";

    /// <summary>The task as queued, handed to the <c>nachos task</c> child process.</summary>
    public const string TaskFile = "task.json";

    /// <summary>The child's result, read back by the node.</summary>
    public const string Result = "result.json";

    /// <summary>The child's failure of a known kind.</summary>
    public const string Failure = "failure.json";

    /// <summary>The child's finished epochs of its current attempt, one JSON line each, tailed by the node.</summary>
    public const string Progress = "progress.jsonl";

    /// <summary>A segmentation task's predicted masks (and foreground probability maps), one folder per evaluated set.</summary>
    public const string Masks = "masks";

    /// <summary>The dashboard's cached Grad-CAM overlays of a classification task's gallery cases (PNG, one per case and class).</summary>
    public const string GradCam = "gradcam";

    /// <summary>One line per attempt: when, where and from which checkpoint.</summary>
    public const string AttemptsLog = "attempts.log";

    /// <summary>A stress task's folder (o{k}/stress): its outer fold's refit scored unshifted and under each shift (docs/robustness.md).</summary>
    public const string Stress = "stress.json";

    public static string StressPath(string taskDir) => Path.Combine(taskDir, Stress);
    public static string SpecPath(string runDir) => Path.Combine(runDir, Spec);
    public static string SpecSourcePath(string runDir) => Path.Combine(runDir, SpecSource);
    public static string SplitsPath(string runDir) => Path.Combine(runDir, Splits);
    public static string ReportPath(string runDir) => Path.Combine(runDir, Report);
    public static string DeployDirectory(string runDir) => Path.Combine(runDir, Deploy);
    public static string SoftwarePath(string runDir) => Path.Combine(runDir, Software);
    public static string ReportCsvPath(string runDir) => Path.Combine(runDir, ReportCsv);

    public static string CalibrationPath(string runDir) => Path.Combine(runDir, Calibration);
    public static string JournalPath(string runDir) => Path.Combine(runDir, Journal);
    public static string CancelledPath(string runDir) => Path.Combine(runDir, Cancelled);
    public static string ImageCacheDirectory(string runDir) => Path.Combine(runDir, ImageCache);

    /// <summary>The cache folder of one dataset content (<paramref name="key"/>: see DatasetContentKey).</summary>
    public static string ImageCacheFolder(string cacheDirectory, string key) => Path.Combine(cacheDirectory, key);
    public static string ImageCacheLockPath(string folder) => Path.Combine(folder, ImageCacheLock);

    /// <summary>A learning curve's training of outer fold <paramref name="outer"/> on a fraction of its outer-train set: <c>o{k}/curve/f{fraction}</c>.</summary>
    public static string CurveDirectory(string runDir, int outer, double fraction) =>
        Path.Combine(runDir, TaskAddress.FoldFolder(outer), "curve", $"f{fraction.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)}");

    /// <summary>A task's folder: its address's folder under the run directory.</summary>
    public static string TaskDirectory(string runDir, TaskAddress task) => Path.Combine(runDir, task.Folder);

    /// <summary>The task's predictions.csv.</summary>
    public static string PredictionsPath(string taskDir) => Path.Combine(taskDir, Predictions);
    public static string HistoryPath(string taskDir) => Path.Combine(taskDir, History);

    /// <summary>
    /// Where a segmentation task writes an image's predicted mask (<c>.png</c>) and foreground probability map
    /// (<c>.prob.png</c>), relative to the task folder: <c>masks/{set}/{id made safe}-{hash of the id}</c>, so ids
    /// that differ only in characters a file name cannot hold still get their own files.
    /// </summary>
    public static string MaskStem(string set, string sampleId)
    {
        var safe = new string(sampleId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        if (safe.Length > 80) safe = safe[..80];
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(sampleId)))[..8];
        return Path.Combine(Masks, set, $"{safe}-{hash}");
    }
    /// <summary>
    /// A case's cached Grad-CAM overlay: <c>gradcam/{id made safe}-{hash}.png</c>, the hash of the id, the class and
    /// <paramref name="modelStamp"/> (which names the model.pt it was computed from, so a replaced model is not served stale maps).
    /// </summary>
    public static string GradCamPath(string taskDir, string sampleId, int classIndex, string modelStamp)
    {
        var safe = new string(sampleId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        if (safe.Length > 80) safe = safe[..80];
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes($"{sampleId}\n{classIndex}\n{modelStamp}")))[..12];
        return Path.Combine(taskDir, GradCam, $"{safe}-{hash}.png");
    }

    public static string MetricsPath(string taskDir) => Path.Combine(taskDir, Metrics);
    public static string ModelPath(string taskDir) => Path.Combine(taskDir, Model);
    public static string BestModelPath(string taskDir) => Path.Combine(taskDir, BestModel);
    public static string CheckpointFolder(string taskDir) => Path.Combine(taskDir, Checkpoint);
    public static string TaskFilePath(string taskDir) => Path.Combine(taskDir, TaskFile);
    public static string ResultPath(string taskDir) => Path.Combine(taskDir, Result);
    public static string FailurePath(string taskDir) => Path.Combine(taskDir, Failure);
    public static string ProgressPath(string taskDir) => Path.Combine(taskDir, Progress);
    public static string AttemptsLogPath(string taskDir) => Path.Combine(taskDir, AttemptsLog);
}
