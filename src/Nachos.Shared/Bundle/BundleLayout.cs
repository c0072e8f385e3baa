namespace Nachos.Shared.Bundle;

/// <summary>The files of a model bundle (docs/bundle.md): the one place that knows their names.</summary>
public static class BundleLayout
{
    /// <summary>What the bundle is: the network, preprocessing, classes, threshold, provenance and expected performance.</summary>
    public const string Manifest = "bundle.json";

    /// <summary>The weights, a copy of the task's model.pt; bundle.json holds their SHA-256.</summary>
    public const string Weights = "model.pt";

    public const string ModelCardMarkdown = "model-card.md";
    public const string ModelCardJson = "model-card.json";

    /// <summary>The usual extension of a bundle's single-file archive (a zip of the folder's files).</summary>
    public const string ArchiveExtension = ".zip";

    /// <summary>Every file of a bundle, in the order they are written and archived.</summary>
    public static readonly IReadOnlyList<string> Files = [Weights, Manifest, ModelCardMarkdown, ModelCardJson];

    /// <summary>The files of a fold ensemble's bundle beside its members' folders: no weights of its own.</summary>
    public static readonly IReadOnlyList<string> EnsembleFiles = [Manifest, ModelCardMarkdown, ModelCardJson];

    /// <summary>The folder, relative to a fold ensemble's bundle, of outer fold <paramref name="outer"/>'s member bundle.</summary>
    public static string MemberFolder(int outer) => $"members/o{outer}";

    /// <summary>Every file of a bundle, relative to its folder ('/'-separated), in the order they are written and archived.</summary>
    public static IReadOnlyList<string> FilesOf(BundleManifest manifest) => manifest.Members is { } members
        ? [.. members.SelectMany(m => Files.Select(f => $"{m.Path}/{f}")), .. EnsembleFiles]
        : Files;

    public static string ManifestPath(string bundleDir) => Path.Combine(bundleDir, Manifest);
    public static string WeightsPath(string bundleDir) => Path.Combine(bundleDir, Weights);
    public static string ModelCardMarkdownPath(string bundleDir) => Path.Combine(bundleDir, ModelCardMarkdown);
    public static string ModelCardJsonPath(string bundleDir) => Path.Combine(bundleDir, ModelCardJson);
}
