using Nachos.Shared.Spec;
using Nachos.Shared.SpecLoading;

namespace Nachos.Shared.Tests;

public sealed class SpecValidationTests : IDisposable
{
    private readonly TempDir _dir = new();

    public SpecValidationTests() => _dir.Write("data.csv", "image,label,patient\na.png,neg,p1\nb.png,pos,p2\n");

    public void Dispose() => _dir.Dispose();

    /// <summary>A spec that is valid as is; each error test changes one thing.</summary>
    private const string Valid = """
        name: t1
        seed: 3
        task: binary
        dataset:
          manifest: data.csv
          classes: [neg, pos]
          group_column: patient
        split:
          scheme: kfold
          outer_folds: 4
          inner_folds: 2
        training:
          max_epochs: 5
          optimizer: sgd
          learning_rate: 0.01
        """;

    private StudySpec Load(string yaml) => SpecLoader.LoadFile(_dir.Write("spec.yaml", yaml));

    private IReadOnlyList<SpecError> Errors(string yaml)
    {
        var path = _dir.Write("spec.yaml", yaml);
        var ex = Assert.Throws<SpecException>(() => SpecLoader.LoadFile(path));
        Assert.NotEmpty(ex.Errors);
        return ex.Errors;
    }

    /// <summary>The 1-based number of the only line of <paramref name="yaml"/> containing <paramref name="marker"/>.</summary>
    private static int LineOf(string yaml, string marker)
    {
        var lines = yaml.Split('\n');
        var hits = Enumerable.Range(0, lines.Length).Where(i => lines[i].Contains(marker)).ToList();
        Assert.Single(hits);
        return hits[0] + 1;
    }

    private static string Replace(string yaml, string from, string to)
    {
        Assert.Contains(from, yaml);
        return yaml.Replace(from, to);
    }

    [Fact]
    public void The_valid_base_spec_loads()
    {
        var spec = Load(Valid);
        Assert.Equal("t1", spec.Name);
        Assert.Equal(3, spec.Seed);
        Assert.Equal(TaskKind.Binary, spec.Task);
        Assert.Equal(DatasetFormat.Csv, spec.Dataset.Format);
        Assert.Equal(_dir.File("data.csv"), spec.Dataset.Path);
        Assert.Equal(["neg", "pos"], spec.Dataset.Classes);
        Assert.Equal(["label"], spec.Dataset.LabelColumns);
        Assert.Equal("patient", spec.Dataset.GroupColumn);
        Assert.Equal(new SplitSpec(SplitScheme.KFold, 4, 2, 0.2, true, true), spec.Split);
        Assert.Equal(5, spec.Training.MaxEpochs);
        Assert.Equal(OptimizerKind.Sgd, spec.Training.Optimizer);
        Assert.Equal(0.01, spec.Training.LearningRate);
        Assert.Equal(LossKind.CrossEntropy, spec.Training.Loss);
    }

    [Fact]
    public void Quickstart_example_parses_with_its_values()
    {
        var file = FindExample("quickstart.yaml");
        var examples = Path.GetDirectoryName(file)!;
        var spec = SpecLoader.LoadFile(file);

        Assert.Equal("quickstart", spec.Name);
        Assert.Equal(42, spec.Seed);
        Assert.Equal(TaskKind.Binary, spec.Task);
        Assert.Equal(examples, spec.SpecDirectory);

        Assert.Equal(DatasetFormat.Synthetic, spec.Dataset.Format);
        Assert.Equal(new SyntheticSpec(100, 3, 64, 7), spec.Dataset.Synthetic);
        // out: ../data/demo is relative to the spec's folder, not to the working directory.
        Assert.Equal(Path.GetFullPath(Path.Combine(examples, "..", "data", "demo", "manifest.csv")), spec.Dataset.Path);
        Assert.Equal(["normal", "lesion"], spec.Dataset.Classes);
        Assert.Equal("patient", spec.Dataset.GroupColumn);
        Assert.Equal("site", spec.Dataset.SiteColumn);

        Assert.Equal(new ImageSpec(64, 64, 1), spec.Image);
        Assert.Equal(SplitScheme.KFold, spec.Split.Scheme);
        Assert.Equal(3, spec.Split.OuterFolds);
        Assert.Equal(2, spec.Split.InnerFolds);
        Assert.True(spec.Split.Stratify);
        Assert.True(spec.Split.GroupByPatient);
        Assert.Equal(Architecture.SimpleCnn, spec.Model.Architecture);
        Assert.Equal(1.0, spec.Model.Width);
        Assert.Null(spec.Model.InitialWeights);

        var t = spec.Training;
        Assert.Equal(12, t.MaxEpochs);
        Assert.Equal(16, t.BatchSize);
        Assert.Equal(OptimizerKind.Adam, t.Optimizer);
        Assert.Equal(0.003, t.LearningRate);
        Assert.Equal(LossKind.CrossEntropy, t.Loss);
        Assert.Equal("val_auroc", t.EarlyStopping.Monitor);
        Assert.Equal(4, t.EarlyStopping.Patience);
        Assert.True(t.EarlyStopping.Enabled);
        Assert.Equal(new AugmentationSpec(true, true, 10, 1, 0.05, 0.1), t.Augmentation);

        var s = spec.Search;
        Assert.Equal(SamplerKind.Random, s.Sampler);
        Assert.Equal(4, s.Trials);
        Assert.Equal("auroc", s.Metric);
        Assert.Equal(["learning_rate", "optimizer", "momentum"], s.Space.Select(p => p.Name));
        Assert.Equal(ParamKind.LogUniform, s.Space[0].Kind);
        Assert.Equal(0.0003, s.Space[0].Low);
        Assert.Equal(0.01, s.Space[0].High);
        Assert.Equal(ParamKind.Categorical, s.Space[1].Kind);
        Assert.Equal(["adam", "sgd"], s.Space[1].Values);
        Assert.Equal(ParamKind.Uniform, s.Space[2].Kind);
        Assert.Equal(0.8, s.Space[2].Low);
        Assert.Equal(0.95, s.Space[2].High);
        Assert.Equal("sgd", Assert.Single(s.Space[2].When, kv => kv.Key == "optimizer").Value);
    }

    private static string FindExample(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"examples/{name} not found above {AppContext.BaseDirectory}");
    }

    [Fact]
    public void Paths_are_relative_to_the_spec_folder_not_the_working_directory()
    {
        _dir.Write("data/m.csv", "image,label\na.png,neg\n");
        var yaml = Replace(Valid, "manifest: data.csv", "manifest: ../data/m.csv");
        var specPath = _dir.Write("studies/spec.yaml", yaml);
        Assert.NotEqual(Path.GetFullPath(Environment.CurrentDirectory), _dir.Path);

        var spec = SpecLoader.LoadFile(specPath);
        Assert.Equal(_dir.File("data/m.csv"), spec.Dataset.Path);
        Assert.Equal(_dir.File("studies"), spec.SpecDirectory);

        // Parse with an explicit file name resolves against that file's folder too.
        var parsed = SpecLoader.Parse(yaml, specPath);
        Assert.Equal(_dir.File("data/m.csv"), parsed.Dataset.Path);
    }

    [Fact]
    public void Unknown_key_is_reported_at_its_line_with_a_suggestion()
    {
        var yaml = Replace(Valid, "  learning_rate: 0.01", "  learning_rat: 0.01");
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("training.learning_rat", e.Path);
        Assert.Equal(LineOf(yaml, "learning_rat:"), e.Line);
        Assert.Contains("unknown key 'learning_rat'", e.Message);
        Assert.Contains("did you mean 'learning_rate'", e.Message);
    }

    [Fact]
    public void Unknown_key_far_from_any_known_key_gets_no_suggestion()
    {
        var yaml = Valid + "\nflux_capacitor: 1.21\n";
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("flux_capacitor", e.Path);
        Assert.Equal(LineOf(yaml, "flux_capacitor"), e.Line);
        Assert.DoesNotContain("did you mean", e.Message);
    }

    [Fact]
    public void Unknown_key_inside_a_flow_mapping_is_reported_with_its_full_path()
    {
        var yaml = Valid + "\n  early_stopping: { patience: 3, patients: 4 }\n";
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("training.early_stopping.patients", e.Path);
        Assert.Equal(LineOf(yaml, "early_stopping"), e.Line);
        Assert.Contains("did you mean 'patience'", e.Message);
    }

    [Fact]
    public void Wrong_type_is_reported_at_its_line()
    {
        var yaml = Replace(Valid, "max_epochs: 5", "max_epochs: ten");
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("training.max_epochs", e.Path);
        Assert.Equal(LineOf(yaml, "max_epochs"), e.Line);
        Assert.Contains("integer", e.Message);
        Assert.Contains("'ten'", e.Message);
    }

    [Fact]
    public void Wrong_type_for_a_boolean_is_reported()
    {
        var yaml = Valid + "\n  class_weights: maybe\n";
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("training.class_weights", e.Path);
        Assert.Equal(LineOf(yaml, "class_weights"), e.Line);
        Assert.Contains("'maybe'", e.Message);
    }

    [Fact]
    public void Out_of_range_value_is_reported_at_its_line()
    {
        var yaml = Replace(Valid, "learning_rate: 0.01", "learning_rate: -1");
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("training.learning_rate", e.Path);
        Assert.Equal(LineOf(yaml, "learning_rate"), e.Line);
        Assert.Contains("-1", e.Message);
        Assert.Contains("> 0", e.Message);
    }

    [Fact]
    public void Zero_learning_rate_is_out_of_range_because_the_minimum_is_exclusive()
    {
        var yaml = Replace(Valid, "learning_rate: 0.01", "learning_rate: 0");
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("training.learning_rate", e.Path);
    }

    [Fact]
    public void Out_of_range_integer_is_reported()
    {
        var yaml = Replace(Valid, "outer_folds: 4", "outer_folds: 1");
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("split.outer_folds", e.Path);
        Assert.Equal(LineOf(yaml, "outer_folds"), e.Line);
        Assert.Contains("got 1", e.Message);
    }

    [Fact]
    public void Unknown_enumerated_value_lists_the_choices()
    {
        var yaml = Replace(Valid, "optimizer: sgd", "optimizer: adamm");
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("training.optimizer", e.Path);
        Assert.Equal(LineOf(yaml, "optimizer"), e.Line);
        Assert.Contains("'adamm'", e.Message);
        Assert.Contains("adamw", e.Message);
    }

    [Fact]
    public void Missing_manifest_file_is_reported_at_its_line()
    {
        var yaml = Replace(Valid, "manifest: data.csv", "manifest: nope.csv");
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("dataset.manifest", e.Path);
        Assert.Equal(LineOf(yaml, "nope.csv"), e.Line);
        Assert.Contains("not found", e.Message);
        Assert.Contains(_dir.File("nope.csv"), e.Message);
    }

    [Fact]
    public void Missing_initial_weights_file_is_reported()
    {
        var yaml = Valid + "\nmodel:\n  initial_weights: weights/none.bin\n";
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("model.initial_weights", e.Path);
        Assert.Equal(LineOf(yaml, "initial_weights"), e.Line);
        Assert.Contains("none.bin", e.Message);
    }

    [Fact]
    public void Multilabel_with_cross_entropy_is_an_impossible_combination()
    {
        var yaml = """
            task: multilabel
            dataset:
              manifest: data.csv
              label_columns: [effusion, nodule]
            training:
              loss: cross-entropy
            """;
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("training.loss", e.Path);
        Assert.Equal(LineOf(yaml, "loss:"), e.Line);
        Assert.Contains("multilabel", e.Message);
        // ... while bce, the multilabel default, is accepted.
        var ok = Load(Replace(yaml, "loss: cross-entropy", "loss: bce"));
        Assert.Equal(LossKind.Bce, ok.Training.Loss);
        Assert.Equal(["effusion", "nodule"], ok.Dataset.LabelColumns);
    }

    [Fact]
    public void Multilabel_with_one_label_column_is_rejected()
    {
        var yaml = """
            task: multilabel
            dataset:
              manifest: data.csv
              label_columns: [effusion]
            """;
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("dataset.label_columns", e.Path);
        Assert.Equal(LineOf(yaml, "label_columns"), e.Line);
    }

    [Fact]
    public void Binary_with_three_classes_is_rejected()
    {
        var yaml = Replace(Valid, "classes: [neg, pos]", "classes: [neg, pos, maybe]");
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("dataset.classes", e.Path);
        Assert.Equal(LineOf(yaml, "classes"), e.Line);
        Assert.Contains("3", e.Message);
    }

    [Fact]
    public void Leave_site_out_without_site_column_is_an_impossible_combination()
    {
        var yaml = Replace(Valid, "scheme: kfold\n  outer_folds: 4\n", "scheme: leave-site-out\n");
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("split.scheme", e.Path);
        Assert.Equal(LineOf(yaml, "scheme:"), e.Line);
        Assert.Contains("site_column", e.Message);
        // With the column declared it is fine.
        var ok = Load(Replace(yaml, "group_column: patient", "group_column: patient\n  site_column: site"));
        Assert.Equal(SplitScheme.LeaveSiteOut, ok.Split.Scheme);
    }

    [Fact]
    public void Outer_folds_with_leave_site_out_is_rejected()
    {
        var yaml = Replace(Valid, "scheme: kfold", "scheme: leave-site-out");
        yaml = Replace(yaml, "group_column: patient", "group_column: patient\n  site_column: site");
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("split.outer_folds", e.Path);
        Assert.Equal(LineOf(yaml, "outer_folds"), e.Line);
    }

    [Fact]
    public void Nesterov_with_adam_is_an_impossible_combination()
    {
        var yaml = Replace(Valid, "optimizer: sgd", "optimizer: adam\n  nesterov: true");
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("training.nesterov", e.Path);
        Assert.Equal(LineOf(yaml, "nesterov"), e.Line);
        Assert.Contains("sgd", e.Message);
        // With sgd it is fine.
        var ok = Load(Replace(yaml, "optimizer: adam", "optimizer: sgd"));
        Assert.True(ok.Training.Nesterov);
    }

    [Fact]
    public void Search_when_naming_a_non_categorical_parameter_is_rejected()
    {
        var yaml = Valid + """

            search:
              space:
                learning_rate: { type: log-uniform, low: 0.0001, high: 0.1 }
                momentum: { type: uniform, low: 0.5, high: 0.99, when: { learning_rate: 0.01 } }
            """;
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("search.space.momentum", e.Path);
        Assert.Equal(LineOf(yaml, "momentum:"), e.Line);
        Assert.Contains("learning_rate", e.Message);
        Assert.Contains("categorical", e.Message);
    }

    [Fact]
    public void Search_when_naming_an_absent_parameter_or_value_is_rejected()
    {
        var yaml = Valid + """

            search:
              space:
                optimizer: { type: categorical, values: [adam, sgd] }
                momentum: { type: uniform, low: 0.5, high: 0.99, when: { optimizer: adamw } }
                weight_decay: { type: uniform, low: 0, high: 0.1, when: { loss: focal } }
            """;
        var errors = Errors(yaml);
        Assert.Equal(2, errors.Count);
        var momentum = Assert.Single(errors, e => e.Path == "search.space.momentum");
        Assert.Equal(LineOf(yaml, "momentum:"), momentum.Line);
        Assert.Contains("'adamw'", momentum.Message);
        var decay = Assert.Single(errors, e => e.Path == "search.space.weight_decay");
        Assert.Equal(LineOf(yaml, "weight_decay:"), decay.Line);
        Assert.Contains("loss", decay.Message);
    }

    /// <summary>
    /// The same check with the parameter written as a block mapping: the error is about the key
    /// <c>momentum</c>, so it belongs on that key's line, not on the first line of its value.
    /// </summary>
    [Fact]
    public void Search_error_on_a_block_mapping_points_at_the_key_line()
    {
        var yaml = Valid + """

            search:
              space:
                learning_rate: { type: log-uniform, low: 0.0001, high: 0.1 }
                momentum:
                  type: uniform
                  low: 0.5
                  high: 0.99
                  when: { learning_rate: 0.01 }
            """;
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("search.space.momentum", e.Path);
        Assert.Equal(LineOf(yaml, "momentum:"), e.Line);
    }

    [Fact]
    public void Untunable_search_parameter_is_rejected()
    {
        var yaml = Valid + """

            search:
              space:
                max_epochs: { type: int, low: 1, high: 10 }
            """;
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("search.space.max_epochs", e.Path);
        Assert.Equal(LineOf(yaml, "max_epochs: {"), e.Line);
        Assert.Contains("not tunable", e.Message);
    }

    [Fact]
    public void Yaml_syntax_error_is_reported_with_its_line()
    {
        var yaml = Replace(Valid, "max_epochs: 5", "max_epochs: 5: 6");
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("(yaml)", e.Path);
        Assert.Equal(LineOf(yaml, "max_epochs"), e.Line);
    }

    [Fact]
    public void Duplicate_key_is_reported_at_the_second_occurrence()
    {
        var yaml = Valid + "\nseed: 4\n";
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("(yaml)", e.Path);
        Assert.Equal(LineOf(yaml, "seed: 4"), e.Line);
        Assert.Contains("seed", e.Message);
    }

    [Fact]
    public void Non_scalar_key_in_the_search_space_is_a_spec_error_not_a_crash()
    {
        var yaml = Valid + """

            search:
              space:
                ? [learning_rate]
                : { type: uniform, low: 0.1, high: 0.2 }
            """;
        // Currently YamlSection.Entries casts every key to YamlScalarNode and throws InvalidCastException.
        var ex = Record.Exception(() => SpecLoader.LoadFile(_dir.Write("spec.yaml", yaml)));
        var spec = Assert.IsType<SpecException>(ex);
        Assert.Contains(spec.Errors, e => e.Path.StartsWith("search.space") && e.Line == LineOf(yaml, "? [learning_rate]"));
    }

    [Fact]
    public void Holdout_test_fraction_of_one_leaves_nothing_to_train_and_is_out_of_range()
    {
        var yaml = Replace(Valid, "scheme: kfold\n  outer_folds: 4\n", "scheme: holdout\n  test_fraction: 1\n");
        var e = Assert.Single(Errors(yaml));
        Assert.Equal("split.test_fraction", e.Path);
        Assert.Equal(LineOf(yaml, "test_fraction"), e.Line);
    }

    [Fact]
    public void A_spec_that_is_not_a_mapping_is_rejected()
    {
        var e = Assert.Single(Errors("- just\n- a list\n"));
        Assert.Equal("(root)", e.Path);
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    public void A_name_that_is_not_a_folder_of_its_own_is_refused(string name)
    {
        var errors = Errors(Valid.Replace("name: t1", $"name: \"{name}\""));
        Assert.Contains(errors, e => e.Path == "name" && e.Message.Contains("start with a letter or digit"));
    }

    [Fact]
    public void A_spec_renamed_as_text_loads_with_the_new_name_and_nothing_else_changed()
    {
        var renamed = SpecText.WithName(Valid, "other-name");

        var before = Load(Valid);
        var after = Load(renamed);

        Assert.Equal("other-name", after.Name);
        // Records holding lists compare by reference: compare their JSON.
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(before with { Name = "other-name" }), System.Text.Json.JsonSerializer.Serialize(after));
        Assert.Equal("not: [yaml", SpecText.WithName("not: [yaml", "x"));
    }

    [Fact]
    public void Missing_spec_file_is_a_spec_error()
    {
        var ex = Assert.Throws<SpecException>(() => SpecLoader.LoadFile(_dir.File("absent.yaml")));
        var e = Assert.Single(ex.Errors);
        Assert.Equal("(file)", e.Path);
        Assert.Contains("absent.yaml", e.Message);
    }

    [Fact]
    public void Missing_dataset_section_is_reported_under_the_path_dataset()
    {
        var yaml = "name: t\ntask: binary\n";
        var errors = Errors(yaml);
        // The error is about the section itself, so its path is "dataset" (not "dataset." or "dataset.something").
        Assert.Contains(errors, e => e.Path == "dataset" && e.Message.Contains("required"));
    }

    [Fact]
    public void Several_errors_are_all_reported_at_once()
    {
        var yaml = """
            name: t1
            task: binary
            dataset:
              manifest: nope.csv
              classes: [neg, pos]
            split:
              scheme: leave-site-out
            training:
              max_epochs: ten
              learning_rate: -1
              batch_sise: 4
              optimizer: adam
              nesterov: true
            """;
        var path = _dir.Write("spec.yaml", yaml);
        var ex = Assert.Throws<SpecException>(() => SpecLoader.LoadFile(path));
        var expected = new Dictionary<string, int>
        {
            ["dataset.manifest"] = LineOf(yaml, "manifest"),
            ["split.scheme"] = LineOf(yaml, "scheme"),
            ["training.max_epochs"] = LineOf(yaml, "max_epochs"),
            ["training.learning_rate"] = LineOf(yaml, "learning_rate"),
            ["training.batch_sise"] = LineOf(yaml, "batch_sise"),
            ["training.nesterov"] = LineOf(yaml, "nesterov"),
        };
        Assert.Equal(expected.Keys.Order(), ex.Errors.Select(e => e.Path).Order());
        foreach (var e in ex.Errors) Assert.Equal(expected[e.Path], e.Line);
        Assert.Contains("did you mean 'batch_size'", ex.Errors.Single(e => e.Path == "training.batch_sise").Message);
        // The exception message lists every problem, with its line.
        foreach (var e in ex.Errors) Assert.Contains($"line {e.Line}: {e.Path}", ex.Message);
        Assert.Equal(path, ex.File);
    }
}
