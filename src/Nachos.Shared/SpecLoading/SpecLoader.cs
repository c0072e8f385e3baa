using Nachos.Shared.Robustness;
using Nachos.Shared.Spec;
using Nachos.Shared.Data;
using Nachos.Shared.Search;
using Nachos.Shared.Tasks;
using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Nachos.Shared.SpecLoading;

/// <summary>Parses and validates a study spec (YAML). Reports every problem with its key path and line.</summary>
public static partial class SpecLoader
{
    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    private static partial System.Text.RegularExpressions.Regex SafeClassName();

    public static StudySpec LoadFile(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new SpecException(path, [new SpecError("(file)", 0, $"spec file not found: {full}")]);
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SpecException(path, [new SpecError("(file)", 0, $"cannot read the spec file {full}: {e.Message}")]);
        }
        return Parse(text, full);
    }

    /// <param name="roots">Where the spec may read data; a path outside them is a spec error (the control API's submissions).</param>
    public static StudySpec Parse(string yaml, string file, DataRoots? roots = null)
    {
        var root = SpecYaml.Root(yaml, file);
        var errors = new List<SpecError>();
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(file))!;
        var top = new YamlSection(root, "", errors);
        var spec = Read(top, dir, roots ?? DataRoots.Anywhere);
        top.Finish();
        if (errors.Count > 0) throw new SpecException(file, errors);
        return spec;
    }

    private static StudySpec Read(YamlSection top, string dir, DataRoots roots)
    {
        var name = top.String("name") ?? "study";
        // The name is the study's folder in a campaign: "." or ".." would put it outside its own folder.
        if (!StudyName.IsValid(name))
            top.Error("name", $"must start with a letter or digit and hold only letters, digits, '-', '_' or '.', got '{name}'");
        var seed = top.Int("seed", 42, 0);
        var task = top.Choice("task", TaskKind.Binary, SpecNames.Tasks);
        var dataset = ReadDataset(top.Child("dataset"), dir, task, roots);
        var image = ReadImage(top.Child("image"));
        var split = ReadSplit(top.Child("split"), dataset, task);
        var model = ReadModel(top.Child("model"), dir, roots, task);
        var training = ReadTraining(top.Child("training"), task, dataset.Classes.Count);
        var search = ReadSearch(top.Child("search"), task, dataset.Classes.Count, training.MaxEpochs);
        var execution = ReadExecution(top.Child("execution"));
        var evaluation = ReadEvaluation(top.Child("evaluation"), task);
        var deploy = ReadDeploy(top.Child("deploy"), split);
        if (search.Proxy?.Network is not null && model.InitialWeights is not null)
            top.Error("search.proxy.network", "cannot be used with model.initial_weights: the weights fit the full model only");
        if (task == TaskKind.Segmentation && execution.Trainer == TrainerKind.Simulated)
            top.Error("task", "the simulated trainer scores image-level tasks only; task segmentation needs trainer torch");
        return new StudySpec(name, seed, dir, dataset, task, image, split, model, training, search, execution, evaluation, deploy)
            { Robustness = ReadRobustness(top.Child("robustness"), image), LearningCurve = ReadLearningCurve(top.Child("learning_curve")) };
    }

    private static LearningCurveSpec? ReadLearningCurve(YamlSection s)
    {
        if (!s.Exists) return null;
        var fractions = s.DoubleList("fractions") ?? LearningCurveSpec.DefaultFractions;
        var delta = s.Double("delta", LearningCurveSpec.DefaultDelta, 0);
        foreach (var f in fractions)
            if (f is <= 0 or > 1)
                s.Error("fractions", $"each fraction must be > 0 and <= 1, got {f.ToString(CultureInfo.InvariantCulture)}");
        if (fractions.Distinct().Count() != fractions.Count)
            s.Error("fractions", "lists a fraction twice");
        if (!fractions.Any(f => f is > 0 and < 1))
            s.Error("fractions", "needs at least one fraction below 1 (1 is the refit on the whole outer-train set, always included)");
        s.Finish();
        // 1 is the outer fold's refit: its test metric is the full-data metric every fraction is compared with.
        return new LearningCurveSpec(fractions.Where(f => f is > 0 and < 1).Append(1.0).Distinct().Order().ToList(), delta);
    }

    /// <remarks>Under the simulated trainer the stress tasks are simulated too (SimulatedStress), for tests of the orchestration.</remarks>
    private static RobustnessSpec? ReadRobustness(YamlSection s, ImageSpec image)
    {
        if (!s.Exists) return null;
        var transforms = s.StringList("transforms") is { } t ? string.Join(",", t) : null;
        var severities = s.StringList("severities") is { } v ? string.Join(",", v) : null;
        try
        {
            StressSelection.Parse(transforms, severities, s.KeyPath("transforms"), s.KeyPath("severities"));
        }
        catch (FormatException e)
        {
            var key = e.Message.StartsWith(s.KeyPath("transforms"), StringComparison.Ordinal) ? "transforms" : "severities";
            s.Error(key, e.Message[(s.KeyPath(key).Length + 2)..]);
        }
        var grid = s.Bool("channel_grid", false);
        if (grid && image.Channels != 3)
            s.Error("channel_grid", $"the red × blue channel grid needs an RGB study (image.channels: 3); this one has {image.Channels} channel");
        s.Finish();
        return new RobustnessSpec(transforms, severities, grid);
    }

    private static DeploySpec? ReadDeploy(YamlSection s, SplitSpec split)
    {
        if (!s.Exists) return null;
        var final = s.Choice("final", FinalModelKind.AllData, SpecNames.FinalModels);
        var spec = new DeploySpec(final);
        if (spec.OffersEnsemble && split.Scheme == SplitScheme.Holdout)
            s.Error("final", $"'{SpecNames.NameOf(SpecNames.FinalModels, final)}' averages the outer folds' refits, but split scheme holdout has one outer fold; use all-data or a scheme with several outer folds");
        s.Finish();
        return spec;
    }

    private static DatasetSpec ReadDataset(YamlSection s, string dir, TaskKind task, DataRoots roots)
    {
        if (!s.Exists) s.Error("", "is required (one of manifest, npz or synthetic)");
        var manifest = s.String("manifest");
        var npz = s.String("npz");
        var synth = s.Child("synthetic");
        var sources = (manifest is null ? 0 : 1) + (npz is null ? 0 : 1) + (synth.Exists ? 1 : 0);
        if (s.Exists && sources != 1)
            s.Error(sources == 0 ? "manifest" : "synthetic", "give exactly one of manifest, npz or synthetic");

        SyntheticSpec? synthetic = null;
        DatasetFormat format;
        string path;
        if (synth.Exists)
        {
            format = DatasetFormat.Synthetic;
            // Its own default folder: the classification demo's manifest there would read as segmentation data.
            var outDir = synth.String("out") ?? (task == TaskKind.Segmentation ? "data/demo-segmentation" : "data/demo");
            path = System.IO.Path.Combine(System.IO.Path.GetFullPath(System.IO.Path.Combine(dir, outDir)), "manifest.csv");
            if (roots.Refusal(System.IO.Path.GetDirectoryName(path)!, "out") is { } refusal) synth.Error("out", refusal);
            synthetic = new SyntheticSpec(
                synth.Int("patients", 60, 4, 100_000), synth.Int("sites", 3, 1, 100),
                synth.Int("size", 64, 16, 1024), synth.Int("seed", 7, 0));
            synth.Finish();
        }
        else
        {
            format = npz is not null ? DatasetFormat.Npz : DatasetFormat.Csv;
            var key = npz is not null ? "npz" : "manifest";
            path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir, npz ?? manifest ?? ""));
            if ((npz ?? manifest) is not null && roots.Refusal(path, "the file") is { } refusal) s.Error(key, refusal);
            else if ((npz ?? manifest) is not null && !File.Exists(path)) s.Error(key, $"file not found: {path}");
        }

        var segmentation = task == TaskKind.Segmentation;
        if (segmentation && s.Has("label_columns"))
            s.Error("label_columns", "does not apply to task segmentation (the labels are the masks of dataset.mask_column)");
        var labels = segmentation ? [] : s.StringList("label_columns") ?? ["label"];
        var classes = s.StringList("classes")
                      ?? (segmentation ? ["background", "foreground"] : format == DatasetFormat.Synthetic ? ["normal", "lesion"] : []);
        var npzParts = s.StringList("npz_parts") ?? ["train", "val", "test"];
        foreach (var part in npzParts)
            if (part is not ("train" or "val" or "test")) s.Error("npz_parts", $"unknown part '{part}'; expected train, val, test");

        var spec = new DatasetSpec(
            format, path,
            s.String("image_column") ?? "image",
            labels, classes,
            s.String("group_column", format == DatasetFormat.Synthetic ? "patient" : null),
            s.String("site_column", format == DatasetFormat.Synthetic ? "site" : null),
            s.String("fold_column"),
            s.String("mask_column", format == DatasetFormat.Synthetic ? "mask" : null),
            s.Choice("on_bad_image", BadImagePolicy.Error, SpecNames.BadImagePolicies),
            npzParts, synthetic);

        if (segmentation)
        {
            if (format == DatasetFormat.Csv && manifest is not null && spec.MaskColumn is null)
                s.Error("mask_column", "is required for task segmentation: the manifest column holding each image's mask (PNG)");
            if (classes.Count < 2)
                s.Error("classes", $"task segmentation needs 2 or more classes, class 0 being the background, got {classes.Count}");
            if (classes.Count > 256) s.Error("classes", $"task segmentation takes at most 256 classes (a mask pixel is one byte), got {classes.Count}");
            if (classes.Distinct().Count() != classes.Count) s.Error("classes", "class names must be distinct");
            // A class name becomes part of the per-class metric columns (dice_{class}, ...) of predictions and reports.
            if (classes.FirstOrDefault(c => !SafeClassName().IsMatch(c)) is { } unsafeName)
                s.Error("classes", $"'{unsafeName}': a segmentation class name is letters, digits, '_' and '-', starting with a letter or digit");
        }
        else if (task == TaskKind.Multilabel)
        {
            if (labels.Count < 2) s.Error("label_columns", "task multilabel needs two or more label columns (one 0/1 column per label)");
        }
        else
        {
            if (labels.Count != 1) s.Error("label_columns", $"task {SpecNames.NameOf(SpecNames.Tasks, task)} takes exactly one label column");
            if (classes.Count == 0 && format != DatasetFormat.Npz) s.Error("classes", "is required: the class names, in label order");
            if (task == TaskKind.Binary && classes.Count is not (0 or 2)) s.Error("classes", $"task binary needs exactly 2 classes, got {classes.Count}");
            if (task == TaskKind.Multiclass && classes.Count is 1 or 2) s.Error("classes", $"task multiclass needs 3 or more classes, got {classes.Count}");
            if (classes.Distinct().Count() != classes.Count) s.Error("classes", "class names must be distinct");
        }
        if (format == DatasetFormat.Npz && (s.Has("group_column") || s.Has("site_column") || s.Has("fold_column") || s.Has("mask_column")))
            s.Error("npz", "an .npz dataset has no group, site, fold or mask columns (its masks are the {part}_masks arrays)");
        s.Finish();
        return spec;
    }

    private static ImageSpec ReadImage(YamlSection s)
    {
        var size = s.Int("size", 64, 8, 4096);
        var maxPixels = (long)(s.Double("max_megapixels", ImageSpec.DefaultMaxMegapixels, 0, 1000, exclusiveMin: true) * 1_000_000);
        var spacing = s.DoubleList("spacing") ?? [1.0, 1.0];
        if (spacing.Count == 1) spacing = [spacing[0], spacing[0]];
        if (spacing.Count != 2 || spacing.Any(v => !(v > 0) || double.IsInfinity(v)))
        {
            s.Error("spacing", "expected one or two finite numbers > 0: the pixel size (rows, columns), or one for both");
            spacing = [1.0, 1.0];
        }
        var spec = new ImageSpec(s.Int("height", size, 8, 4096), s.Int("width", size, 8, 4096), s.Int("channels", 1, 1, 3), maxPixels, spacing[0], spacing[1]);
        if (spec.Channels == 2) s.Error("channels", "must be 1 (grayscale) or 3 (RGB), got 2");
        s.Finish();
        return spec;
    }

    private static SplitSpec ReadSplit(YamlSection s, DatasetSpec dataset, TaskKind task)
    {
        var segmentation = task == TaskKind.Segmentation;
        var scheme = s.Choice("scheme", SplitScheme.KFold, SpecNames.Schemes);
        var spec = new SplitSpec(
            scheme,
            s.Int("outer_folds", 5, 2, 1000),
            s.Int("inner_folds", 3, 2, 1000),
            s.Double("test_fraction", 0.2, 0, 1, exclusiveMin: true, exclusiveMax: true),
            s.Bool("stratify", !segmentation),
            s.Bool("group_by_patient", dataset.GroupColumn is not null));
        if (segmentation && spec.Stratify)
            s.Error("stratify", "does not apply to task segmentation: stratification balances image labels, and a segmentation sample has a mask instead");
        if (spec.GroupByPatient && dataset.GroupColumn is null)
            s.Error("group_by_patient", "needs dataset.group_column (the patient or subject column)");
        if (scheme == SplitScheme.LeaveSiteOut && dataset.SiteColumn is null)
            s.Error("scheme", "leave-site-out needs dataset.site_column");
        if (scheme == SplitScheme.FoldColumn && dataset.FoldColumn is null)
            s.Error("scheme", "fold-column needs dataset.fold_column");
        if (s.Has("outer_folds") && scheme is SplitScheme.LeaveSiteOut or SplitScheme.FoldColumn or SplitScheme.Holdout)
            s.Error("outer_folds", $"does not apply to scheme {SpecNames.NameOf(SpecNames.Schemes, scheme)} (the folds come from the {(scheme == SplitScheme.Holdout ? "test_fraction" : "data")})");
        if (scheme == SplitScheme.CrossTesting && dataset.FoldColumn is null && spec.OuterFolds < 3)
            s.Error("outer_folds", $"cross-testing needs 3 or more folds (one tests, one validates, the rest train), got {spec.OuterFolds}");
        if (s.Has("inner_folds") && scheme == SplitScheme.CrossTesting)
            s.Error("inner_folds", "does not apply to cross-testing: every fold other than the test fold validates in turn");
        s.Finish();
        return spec;
    }

    private static ModelSpec ReadModel(YamlSection s, string dir, DataRoots roots, TaskKind task)
    {
        var weights = s.String("initial_weights");
        if (weights is not null)
        {
            weights = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir, weights));
            if (roots.Refusal(weights, "the file") is { } refusal) s.Error("initial_weights", refusal);
            else if (!File.Exists(weights)) s.Error("initial_weights", $"file not found: {weights}");
        }
        var segmentation = task == TaskKind.Segmentation;
        var spec = new ModelSpec(
            s.Choice("architecture", segmentation ? Architecture.UNet : Architecture.SimpleCnn, SpecNames.Architectures),
            s.Double("width", 1.0, 0, 16, exclusiveMin: true),
            weights,
            s.Int("depth", ModelSpec.DefaultDepth, 1, 6),
            s.Bool("residual", false));
        if (segmentation != (spec.Architecture == Architecture.UNet))
            s.Error("architecture", segmentation ? "task segmentation needs architecture unet" : "unet is for task segmentation; use simple-cnn or a resnet");
        if (!segmentation && (s.Has("depth") || s.Has("residual")))
            s.Error(s.Has("depth") ? "depth" : "residual", "applies to architecture unet only");
        s.Finish();
        return spec;
    }

    private static TrainingSpec ReadTraining(YamlSection s, TaskKind task, int classes)
    {
        var defaultLoss = task switch
        {
            TaskKind.Multilabel => LossKind.Bce,
            TaskKind.Segmentation => classes > 2 ? LossKind.CeDice : LossKind.BceDice,
            _ => LossKind.CrossEntropy,
        };
        var loss = s.Choice("loss", defaultLoss, SpecNames.Losses);
        if (LossProblem(task, classes, loss) is { } problem) s.Error("loss", problem);

        var sch = s.Child("lr_schedule");
        var schedule = new LrScheduleSpec(
            sch.Choice("kind", LrScheduleKind.None, SpecNames.Schedules),
            sch.Int("step_size", 10, 1), sch.Double("gamma", 0.1, 0, 1, exclusiveMin: true), sch.Double("decay", 0.01, 0));
        sch.Finish();

        var es = s.Child("early_stopping");
        var monitor = es.String("monitor") ?? "val_loss";
        var metrics = SpecNames.MetricsOf(task);
        if (monitor != "val_loss" && !(monitor.StartsWith("val_") && metrics.Contains(monitor[4..])))
            es.Error("monitor", $"unknown value '{monitor}'; expected val_loss or val_ followed by one of: {string.Join(", ", metrics)}");
        var early = new EarlyStoppingSpec(es.Bool("enabled", true), monitor, es.Int("patience", 5, 1), es.Double("min_delta", 0, 0));
        es.Finish();

        var aug = s.Child("augmentation");
        var augmentation = new AugmentationSpec(
            aug.Bool("horizontal_flip", false), aug.Bool("vertical_flip", false),
            aug.Double("rotation_degrees", 0, 0, 180), aug.Double("crop_scale_min", 1, 0.1, 1),
            aug.Double("intensity", 0, 0, 1), aug.Double("contrast", 0, 0, 1),
            aug.Choice("policy", AugmentationPolicy.None, SpecNames.AugmentationPolicies));
        aug.Finish();

        var spec = new TrainingSpec(
            s.Int("max_epochs", 20, 1, 100_000),
            s.Int("batch_size", 32, 1, 65_536),
            loss,
            s.Bool("class_weights", false),
            s.Double("focal_gamma", 2.0, 0, 10),
            s.Choice("optimizer", OptimizerKind.Adam, SpecNames.Optimizers),
            s.Double("learning_rate", 1e-3, 0, 10, exclusiveMin: true),
            s.Double("momentum", 0.9, 0, 1),
            s.Bool("nesterov", false),
            s.Double("weight_decay", 0, 0, 1),
            schedule, early,
            s.Int("checkpoint_every", 1, 1),
            augmentation,
            s.Int("threads", 0, 0, 1024),
            s.Double("tversky_alpha", TrainingSpec.DefaultTverskyAlpha, 0, 100),
            s.Double("tversky_beta", TrainingSpec.DefaultTverskyBeta, 0, 100),
            s.Double("tversky_gamma", TrainingSpec.DefaultTverskyGamma, 0, 10, exclusiveMin: true));
        foreach (var key in new[] { "tversky_alpha", "tversky_beta", "tversky_gamma" })
            if (s.Has(key) && loss != LossKind.FocalTversky) s.Error(key, "applies to loss focal-tversky only");
        if (spec.Nesterov && spec.Optimizer != OptimizerKind.Sgd)
            s.Error("nesterov", "applies to optimizer sgd only");
        if (spec.Nesterov && spec.Momentum == 0)
            s.Error("nesterov", "needs momentum > 0");
        s.Finish();
        return spec;
    }

    private static SearchSpec ReadSearch(YamlSection s, TaskKind task, int classes, int maxEpochs)
    {
        var metrics = SpecNames.MetricsOf(task);
        var metric = s.String("metric") ?? metrics[0];
        if (!metrics.Contains(metric) && metric != "loss")
            s.Error("metric", $"unknown metric '{metric}'; expected loss or one of: {string.Join(", ", metrics)}");
        var sampler = s.Choice("sampler", SamplerKind.Random, SpecNames.Samplers);
        var spaceSection = s.Child("space");
        var trials = s.Int("trials", spaceSection.Count > 0 ? 8 : 1, 1, 100_000);
        if (spaceSection.Count == 0 && trials > 1)
            s.Error("trials", $"{trials} trials over an empty search space would train the same configuration {trials} times; give search.space or set trials: 1");
        var parallelism = s.Int("parallelism", 4, 1, 10_000);
        var errorsBefore = s.ErrorCount;
        var space = new List<ParamSpec>();
        foreach (var (key, node) in spaceSection.Entries())
        {
            var p = spaceSection.Sub(key, node);
            if (!Hyperparameters.Tunable.Contains(key))
            {
                spaceSection.Error(key, $"'{key}' is not tunable; tunable: {string.Join(", ", Hyperparameters.Tunable)}");
                continue;
            }
            var kind = p.Choice("type", ParamKind.Uniform, SpecNames.ParamKinds);
            if (!p.Has("type")) p.Error("type", "is required");
            var values = p.StringList("values") ?? [];
            double low = 0, high = 0;
            if (kind == ParamKind.Categorical)
            {
                if (values.Count == 0) p.Error("values", "a categorical parameter needs a non-empty list of values");
                var allowed = Hyperparameters.AllowedValues(key);
                foreach (var v in values)
                {
                    if (allowed is not null ? !allowed.Contains(v) : !double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out _))
                        p.Error("values", allowed is not null
                            ? $"'{v}' is not a valid {key}; expected one of: {string.Join(", ", allowed)}"
                            : $"'{v}' is not a number");
                    else if (key == "loss" && LossProblem(task, classes, SpecNames.Losses[v]) is { } problem) p.Error("values", $"'{v}': {problem}");
                    else if (key == "architecture" && (task == TaskKind.Segmentation) != (SpecNames.Architectures[v] == Architecture.UNet))
                        p.Error("values", $"'{v}' does not fit task {SpecNames.NameOf(SpecNames.Tasks, task)}");
                }
            }
            else
            {
                if (Hyperparameters.AllowedValues(key) is not null) p.Error("type", $"{key} takes categorical values only");
                low = p.Double("low", double.NaN);
                high = p.Double("high", double.NaN);
                if (double.IsNaN(low)) p.Error("low", "is required");
                if (double.IsNaN(high)) p.Error("high", "is required");
                if (low >= high) p.Error("high", $"must be greater than low ({low} >= {high})");
                if (kind is ParamKind.LogUniform or ParamKind.PowerOfTwo && low <= 0) p.Error("low", $"must be > 0 for {SpecNames.NameOf(SpecNames.ParamKinds, kind)}");
            }
            var when = new Dictionary<string, string>();
            var w = p.Child("when");
            foreach (var (wk, wn) in w.Entries())
            {
                if (wn is YamlScalarNode sv) when[wk] = sv.Value ?? "";
                else w.Error(wk, "expected a single value");
            }
            p.Finish();
            space.Add(new ParamSpec(key, kind, low, high, values, when));
        }
        foreach (var p in space)
            foreach (var (dep, value) in p.When)
            {
                var parent = space.FirstOrDefault(q => q.Name == dep);
                if (parent is null || parent.Kind != ParamKind.Categorical)
                    spaceSection.Error(p.Name, $"'when: {dep}' must name a categorical parameter of the search space");
                else if (!parent.Values.Contains(value))
                    spaceSection.Error(p.Name, $"'when: {dep}: {value}': {dep} has no value '{value}'");
            }
        var gridPoints = s.Int("grid_points", 3, 2, 100);
        var scheduler = ReadScheduler(s.Child("scheduler"), maxEpochs, parallelism);
        var proxy = ReadProxy(s.Child("proxy"), trials);
        s.Finish();
        var search = new SearchSpec(sampler, trials, parallelism, metric, space, gridPoints, scheduler, proxy);
        if (s.ErrorCount == errorsBefore)
        {
            try
            {
                Samplers.Create(search, 0);
            }
            catch (ArgumentException e)
            {
                spaceSection.Error("", e.Message);
            }
        }
        return search;
    }

    private static SchedulerSpec? ReadScheduler(YamlSection s, int maxEpochs, int parallelism)
    {
        if (!s.Exists) return null;
        if (!s.Has("kind")) s.Error("kind", $"is required: one of {string.Join(", ", SpecNames.Schedulers.Keys)}");
        var kind = s.Choice("kind", SchedulerKind.Asha, SpecNames.Schedulers);
        var grace = s.Int("grace_period", 1, 1);
        if (grace >= maxEpochs)
            s.Error("grace_period", $"must be below training.max_epochs ({maxEpochs}): a rung at or after the last epoch never stops a trial");
        var halving = kind is SchedulerKind.Asha or SchedulerKind.Hyperband;
        void Only(string key, bool applies, string what)
        {
            if (s.Has(key) && !applies) s.Error(key, $"applies to {what} only");
        }
        Only("reduction_factor", halving, "asha and hyperband");
        Only("brackets", kind == SchedulerKind.Hyperband, "hyperband");
        Only("min_trials", kind == SchedulerKind.Median, "median");
        Only("interval", !halving, "median and wilcoxon");
        Only("p_threshold", kind == SchedulerKind.Wilcoxon, "wilcoxon");
        var eta = s.Int("reduction_factor", 3, 2, 100);
        var brackets = s.Int("brackets", kind == SchedulerKind.Hyperband ? 3 : 1, 1, 20);
        if (kind == SchedulerKind.Hyperband && grace < maxEpochs && grace * Math.Pow(eta, brackets - 1) >= maxEpochs)
            s.Error("brackets", $"bracket {brackets - 1} would start at epoch {grace} × {eta}^{brackets - 1} >= training.max_epochs ({maxEpochs}); use fewer brackets");
        var cohort = s.Int("cohort", 1, 1, 100_000);
        // A cohort's trials wait for each other at a rung: all of them must be able to be in flight at once.
        if (cohort > 1 && (long)cohort * brackets > parallelism)
            s.Error("cohort", $"{cohort}{(brackets > 1 ? $" × {brackets} brackets" : "")} trials would wait for each other at a rung, but search.parallelism " +
                              $"({parallelism}) lets only that many be in flight: raise search.parallelism or lower cohort");
        Only("extrapolate", kind != SchedulerKind.Wilcoxon, "asha, hyperband and median (wilcoxon compares the splits' scores themselves)");
        var extrapolate = s.Bool("extrapolate", false);
        // The forecast is an inverse power law, three parameters: a curve of fewer epochs has none.
        if (extrapolate && grace < 3)
            s.Error("grace_period", $"is {grace}, but extrapolate needs a learning curve of 3 epochs at least at the first rung: use grace_period 3 or more");
        var spec = new SchedulerSpec(kind, grace, eta, brackets, s.Int("min_trials", 3, 1, 100_000), s.Int("interval", 1, 1),
            s.Double("p_threshold", 0.1, 0, 1, exclusiveMin: true, exclusiveMax: true), cohort, extrapolate);
        s.Finish();
        return spec;
    }

    /// <summary>Why a loss does not fit a task, or null when it does.</summary>
    private static string? LossProblem(TaskKind task, int classes, LossKind loss)
    {
        var segmentationLoss = SpecNames.IsSegmentationLoss(loss);
        if (task == TaskKind.Segmentation)
        {
            if (!segmentationLoss) return "task segmentation needs dice, bce-dice, ce-dice or focal-tversky";
            if (loss == LossKind.BceDice && classes > 2) return "bce-dice takes one foreground class; use ce-dice for several classes";
            return null;
        }
        if (segmentationLoss) return $"{SpecNames.NameOf(SpecNames.Losses, loss)} is for task segmentation";
        if (task == TaskKind.Multilabel && loss == LossKind.CrossEntropy)
            return "task multilabel needs bce or focal (independent labels), not cross-entropy";
        if (task != TaskKind.Multilabel && loss == LossKind.Bce)
            return "bce is for task multilabel; use cross-entropy or focal";
        return null;
    }

    private static EvaluationSpec ReadEvaluation(YamlSection s, TaskKind task)
    {
        var spec = new EvaluationSpec(s.Double("surface_tolerance", EvaluationSpec.DefaultSurfaceTolerance, 0, 1e6), ReadThreshold(s));
        if (s.Has("surface_tolerance") && task != TaskKind.Segmentation) s.Error("surface_tolerance", "applies to task segmentation only");
        if (s.Has("threshold") && task != TaskKind.Binary)
            s.Error("threshold", "applies to task binary only (multi-class predicts the arg-max class; multi-label and segmentation keep p >= 0.5)");
        s.Finish();
        return spec;
    }

    /// <summary><c>threshold: 0.5 | youden | { sensitivity: 0.9 } | { specificity: 0.9 }</c>.</summary>
    private static ThresholdRule ReadThreshold(YamlSection s)
    {
        const string expected = "expected a number between 0 and 1, youden, { sensitivity: TARGET } or { specificity: TARGET }";
        switch (s.Node("threshold"))
        {
            case null:
                return ThresholdRule.Default;
            case YamlScalarNode { Value: "youden" }:
                return new ThresholdRule(ThresholdRuleKind.Youden, 0);
            case YamlScalarNode scalar:
                if (!double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    s.Error("threshold", $"{expected}, got '{scalar.Value}'");
                    return ThresholdRule.Default;
                }
                return new ThresholdRule(ThresholdRuleKind.Fixed, s.Double("threshold", ThresholdRule.Default.Value, 0, 1));
            case YamlMappingNode:
                var target = s.Child("threshold");
                var given = new[] { ("sensitivity", ThresholdRuleKind.Sensitivity), ("specificity", ThresholdRuleKind.Specificity) }
                    .Where(k => target.Has(k.Item1)).ToList();
                var errors = target.ErrorCount;
                target.Finish();
                if (given.Count == 1) return new ThresholdRule(given[0].Item2, target.Double(given[0].Item1, 1, 0, 1, exclusiveMin: true));
                // An unknown key (a misspelt target) is reported by Finish already.
                if (given.Count > 1 || target.ErrorCount == errors) s.Error("threshold", $"{expected}: give exactly one target");
                return ThresholdRule.Default;
            default:
                s.Error("threshold", expected);
                return ThresholdRule.Default;
        }
    }

    private static ExecutionSpec ReadExecution(YamlSection s)
    {
        var trainer = s.Choice("trainer", TrainerKind.Torch, SpecNames.Trainers);
        var executor = s.Choice("executor", trainer == TrainerKind.Torch ? ExecutorKind.Subprocess : ExecutorKind.InProcess, SpecNames.Executors);
        var sim = s.Child("simulated");
        var simulated = new SimulatedSpec(sim.Double("seconds_per_epoch", 0, 0, 3600), sim.Double("failure_rate", 0, 0, 1, exclusiveMax: true));
        sim.Finish();
        if (sim.Exists && trainer != TrainerKind.Simulated) s.Error("simulated", "applies to trainer: simulated only");
        if (trainer == TrainerKind.Simulated && executor != ExecutorKind.InProcess)
            s.Error("executor", "the simulated trainer runs in-process");
        if (trainer == TrainerKind.Torch && executor == ExecutorKind.InProcess)
            s.Error("executor", "TorchSharp training runs in subprocesses: inside the node it would share the node's garbage collector, which frees TorchSharp's native scalars from finalisers (docs/platform.md)");
        var spec = new ExecutionSpec(
            trainer, executor,
            s.Int("devices", trainer == TrainerKind.Torch ? 1 : 4, 1, ExecutionSpec.MaxDevices),
            s.Int("max_retries", 2, 0, 100),
            s.Double("max_failed_trials", 0.5, 0, 1),
            simulated,
            s.Double("task_timeout_seconds", 0, 0));
        s.Finish();
        return spec;
    }
}
