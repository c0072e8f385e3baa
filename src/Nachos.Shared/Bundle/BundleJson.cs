using System.Globalization;
using System.Text.Json;
using Nachos.Shared.Files;

namespace Nachos.Shared.Bundle;

/// <summary>
/// The text of bundle.json: written with the files' JSON conventions (snake_case), read back key by key so that a missing
/// or malformed key is named (<c>bundle.json: key 'preprocessing.mean' ...</c>) and a bundle of another format version
/// is refused before anything else is read.
/// </summary>
public static class BundleJson
{
    /// <summary>The format of one model's bundle; a change to what a key means takes a new version.</summary>
    public const int FormatVersion = 1;

    /// <summary>
    /// Format 1 plus the key <c>members</c>: a fold ensemble, whose <c>network</c>, <c>preprocessing</c> and <c>weights</c>
    /// are its members' (null at the top). A nachos that reads format 1 only refuses it rather than misreading it.
    /// </summary>
    public const int EnsembleFormatVersion = 2;

    public static string Write(BundleManifest manifest) => JsonSerializer.Serialize(manifest, FileJson.Options) + "\n";

    /// <param name="file">How errors name the file (its path, or the archive's path and entry).</param>
    /// <exception cref="BundleException">Not JSON, another format version, or a key missing or of the wrong type.</exception>
    public static BundleManifest Read(string text, string file)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException e)
        {
            throw new BundleException($"{file}: not valid JSON (line {e.LineNumber + 1})");
        }
        using (doc)
        {
            var r = new Keys(file);
            var root = r.Root(doc.RootElement);
            var format = r.Int(root, "format");
            if (format is not (FormatVersion or EnsembleFormatVersion))
                throw new BundleException($"{file}: key 'format' is bundle format version {format}; this nachos reads versions {FormatVersion} and {EnsembleFormatVersion} only");
            var ensemble = format == EnsembleFormatVersion;
            if (!ensemble && root.Value.TryGetProperty("members", out var stray) && stray.ValueKind != JsonValueKind.Null)
                throw new BundleException($"{file}: key 'members' is not part of bundle format {FormatVersion} (a fold ensemble is format {EnsembleFormatVersion})");
            var members = ensemble
                ? r.Array(root, "members").Select(m => new BundleMember(r.Int(m, "outer_fold"), r.String(m, "path"), r.String(m, "weights_sha256"))).ToList()
                : null;
            var source = r.Object(root, "source");
            var network = ensemble ? (Node?)null : r.Object(root, "network");
            var pre = ensemble ? (Node?)null : r.Object(root, "preprocessing");
            var decision = r.Object(root, "decision");
            var columns = r.Object(root, "manifest_columns");
            var dataset = r.Object(root, "dataset");
            var expected = r.Object(root, "expected_performance");
            var seeds = r.Object(root, "seeds");
            var hardware = r.Object(root, "hardware");
            var weights = ensemble ? (Node?)null : r.Object(root, "weights");
            var manifest = new BundleManifest(
                format,
                r.String(root, "task"),
                new BundleSource(r.String(source, "study"), r.String(source, "task_id"), r.IntOrNull(source, "outer_fold"), r.String(source, "run_directory")),
                network is { } n ? new BundleNetwork(r.String(n, "architecture"), r.Double(n, "width"), r.Int(n, "depth"), r.Bool(n, "residual"),
                    r.Int(n, "outputs"), r.String(n, "activation"), r.StringMap(n, "hyperparameters")) : null,
                pre is { } p ? new BundlePreprocessing(r.Int(p, "height"), r.Int(p, "width"), r.Int(p, "channels"), r.Long(p, "max_pixels"),
                    r.Floats(p, "mean"), r.Floats(p, "std"), r.Int(p, "batch_size")) : null,
                r.Strings(root, "classes"),
                new BundleDecision(r.Double(decision, "threshold"), r.String(decision, "rule")),
                new BundleManifestColumns(r.String(columns, "image"), r.Strings(columns, "labels"), r.StringOrNull(columns, "mask")),
                r.String(root, "spec"),
                r.String(root, "split_plan_hash"),
                new BundleDataset(r.String(dataset, "format"), r.String(dataset, "content_key"), r.Int(dataset, "samples"), r.Int(dataset, "trained_on")),
                new ExpectedPerformance(r.String(expected, "source"), r.Int(expected, "folds"), r.Bool(expected, "complete"),
                    r.Array(expected, "metrics").Select(m => new ExpectedMetric(r.String(m, "metric"), r.DoubleOrNull(m, "mean"),
                        r.DoubleOrNull(m, "ci_low"), r.DoubleOrNull(m, "ci_high"), r.DoubleOrNull(m, "bootstrap_low"), r.DoubleOrNull(m, "bootstrap_high"),
                        r.Array(m, "per_fold").Select(r.NumberOrNull).ToList())).ToList()),
                r.String(root, "software"),
                new BundleSeeds(r.Int(seeds, "study"), ensemble ? r.IntOrNull(seeds, "task") : r.Int(seeds, "task")),
                new BundleHardware(r.String(hardware, "trained_on"), r.String(hardware, "host"), r.String(hardware, "os"), r.Int(hardware, "processor_count")),
                r.Time(root, "created"),
                weights is { } w ? new BundleWeights(r.String(w, "file"), r.String(w, "sha256"), r.Long(w, "bytes")) : null,
                members);
            Check(manifest, file);
            return manifest;
        }
    }

    /// <summary>What the keys' types cannot say: sizes that agree with each other.</summary>
    private static void Check(BundleManifest m, string file)
    {
        if (m.Members is { } members)
        {
            if (members.Count < 2) Bad(file, "members", $"has {members.Count} member(s); a fold ensemble averages at least two outer folds' refits");
            foreach (var (member, i) in members.Select((x, i) => (x, i)))
            {
                if (member.Path != BundleLayout.MemberFolder(member.OuterFold)) Bad(file, $"members[{i}].path", $"must be {BundleLayout.MemberFolder(member.OuterFold)}");
                if (!IsSha256(member.WeightsSha256)) Bad(file, $"members[{i}].weights_sha256", "must be 64 lower-case hex digits");
            }
            if (members.Select(x => x.OuterFold).Distinct().Count() != members.Count) Bad(file, "members", "names an outer fold twice");
            CheckCommon(m, file);
            return;
        }
        var p = m.Preprocessing!;
        if (p.Channels is not (1 or 3)) Bad(file, "preprocessing.channels", "must be 1 or 3");
        if (p.Height < 1 || p.Width < 1) Bad(file, "preprocessing.height", "the image size must be positive");
        if (p.Mean.Count != p.Channels) Bad(file, "preprocessing.mean", $"has {p.Mean.Count} values for {p.Channels} channel(s)");
        if (p.Std.Count != p.Channels) Bad(file, "preprocessing.std", $"has {p.Std.Count} values for {p.Channels} channel(s)");
        if (p.Std.Any(s => !(s > 0) || !float.IsFinite(s))) Bad(file, "preprocessing.std", "every value must be a positive finite number");
        if (p.Mean.Any(v => !float.IsFinite(v))) Bad(file, "preprocessing.mean", "every value must be finite");
        if (p.BatchSize < 1) Bad(file, "preprocessing.batch_size", "must be positive");
        if (m.Network!.Outputs < 1) Bad(file, "network.outputs", "must be positive");
        if (m.Network.Activation is not (BundleNetwork.Softmax or BundleNetwork.Sigmoid)) Bad(file, "network.activation", "must be softmax or sigmoid");
        if (!IsSha256(m.Weights!.Sha256)) Bad(file, "weights.sha256", "must be 64 lower-case hex digits");
        if (m.Weights.File != BundleLayout.Weights) Bad(file, "weights.file", $"must be {BundleLayout.Weights}");
        CheckCommon(m, file);
    }

    private static void CheckCommon(BundleManifest m, string file)
    {
        if (m.Classes.Count < 2 && m.Task != "multilabel") Bad(file, "classes", "needs at least 2 classes");
        if (m.Classes.Count < 1) Bad(file, "classes", "is empty");
        if (m.Task is not ("binary" or "multiclass" or "multilabel" or "segmentation")) Bad(file, "task", "must be binary, multiclass, multilabel or segmentation");
        if (!(m.Decision.Threshold is >= 0 and <= 1)) Bad(file, "decision.threshold", "must be in [0, 1]");
    }

    private static bool IsSha256(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigitLower);

    private static void Bad(string file, string key, string what) => throw new BundleException($"{file}: key '{key}' {what}");

    /// <summary>A JSON value and its key path in the file (<c>preprocessing.mean[2]</c>), for errors.</summary>
    private readonly record struct Node(JsonElement Value, string Path);

    /// <summary>Reads keys of JSON objects, naming the full key path on any error.</summary>
    private sealed class Keys(string file)
    {
        private static string Join(string parent, string key) => parent.Length == 0 ? key : $"{parent}.{key}";

        private Node Get(Node parent, string key, bool optional = false)
        {
            var path = Join(parent.Path, key);
            if (parent.Value.TryGetProperty(key, out var value) && (value.ValueKind != JsonValueKind.Null || optional)) return new Node(value, path);
            if (optional) return new Node(default, path);
            throw new BundleException($"{file}: key '{path}' is missing");
        }

        private BundleException Wrong(Node node, string expected) => new($"{file}: key '{node.Path}' is not {expected}");

        public Node Root(JsonElement root) =>
            root.ValueKind == JsonValueKind.Object ? new Node(root, "") : throw new BundleException($"{file}: not a JSON object");

        public Node Object(Node parent, string key)
        {
            var v = Get(parent, key);
            return v.Value.ValueKind == JsonValueKind.Object ? v : throw Wrong(v, "an object");
        }

        public IReadOnlyList<Node> Array(Node parent, string key)
        {
            var v = Get(parent, key);
            if (v.Value.ValueKind != JsonValueKind.Array) throw Wrong(v, "an array");
            return v.Value.EnumerateArray().Select((e, i) => new Node(e, $"{v.Path}[{i}]")).ToList();
        }

        public string String(Node parent, string key)
        {
            var v = Get(parent, key);
            return v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString()! : throw Wrong(v, "a string");
        }

        public string? StringOrNull(Node parent, string key)
        {
            var v = Get(parent, key, optional: true);
            return v.Value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? null
                : v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString() : throw Wrong(v, "a string or null");
        }

        public bool Bool(Node parent, string key)
        {
            var v = Get(parent, key);
            return v.Value.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.Value.GetBoolean() : throw Wrong(v, "true or false");
        }

        public int Int(Node parent, string key)
        {
            var v = Get(parent, key);
            return v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetInt32(out var i) ? i : throw Wrong(v, "an integer");
        }

        public int? IntOrNull(Node parent, string key)
        {
            var v = Get(parent, key, optional: true);
            return v.Value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? null
                : v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetInt32(out var i) ? i : throw Wrong(v, "an integer or null");
        }

        public long Long(Node parent, string key)
        {
            var v = Get(parent, key);
            return v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetInt64(out var i) ? i : throw Wrong(v, "an integer");
        }

        public double Double(Node parent, string key)
        {
            var v = Get(parent, key);
            return v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetDouble(out var d) && double.IsFinite(d) ? d : throw Wrong(v, "a number");
        }

        public double? DoubleOrNull(Node parent, string key) => NumberOrNull(Get(parent, key, optional: true));

        /// <summary>A number, null, or NaN / ±Infinity written by name (the files' JSON writes undefined statistics so).</summary>
        public double? NumberOrNull(Node v) => v.Value.ValueKind switch
        {
            JsonValueKind.Undefined or JsonValueKind.Null => null,
            JsonValueKind.Number when v.Value.TryGetDouble(out var d) => d,
            JsonValueKind.String when v.Value.GetString() is "NaN" or "Infinity" or "-Infinity" =>
                double.Parse(v.Value.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture),
            _ => throw Wrong(v, "a number or null"),
        };

        public IReadOnlyList<float> Floats(Node parent, string key) =>
            Array(parent, key).Select(e => e.Value.ValueKind == JsonValueKind.Number && e.Value.TryGetSingle(out var f) ? f : throw Wrong(e, "a number")).ToList();

        public IReadOnlyList<string> Strings(Node parent, string key) =>
            Array(parent, key).Select(e => e.Value.ValueKind == JsonValueKind.String ? e.Value.GetString()! : throw Wrong(e, "a string")).ToList();

        public IReadOnlyDictionary<string, string> StringMap(Node parent, string key)
        {
            var o = Object(parent, key);
            return o.Value.EnumerateObject().ToDictionary(p => p.Name,
                p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw Wrong(new Node(p.Value, Join(o.Path, p.Name)), "a string"),
                StringComparer.Ordinal);
        }

        public DateTimeOffset Time(Node parent, string key)
        {
            var v = Get(parent, key);
            return v.Value.ValueKind == JsonValueKind.String && v.Value.TryGetDateTimeOffset(out var t) ? t : throw Wrong(v, "an ISO 8601 time");
        }
    }
}
