using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Nachos.Shared.Files;

namespace Nachos.Shared.Bundle;

/// <summary>A bundle read and checked: its manifest and its weights' bytes, which match the manifest's SHA-256.</summary>
/// <param name="Location">The folder or archive it was read from.</param>
public sealed record LoadedBundle(string Location, BundleManifest Manifest, byte[] Weights);

/// <summary>
/// Writes a bundle folder and its single-file archive, and reads either back. Reading checks the format version, that
/// every file the format needs is there, and the weights' SHA-256; any fault is a <see cref="BundleException"/> naming the
/// file (and key).
/// </summary>
public static class BundleFiles
{
    /// <summary>
    /// Writes the folder <paramref name="dir"/> (created, or emptied of the bundle's own files): the weights copied from
    /// <paramref name="weightsSource"/>, bundle.json, and the model card. Each file is written atomically, bundle.json
    /// after the weights it describes.
    /// </summary>
    public static void Write(string dir, BundleManifest manifest, string weightsSource)
    {
        Directory.CreateDirectory(dir);
        AtomicFile.Write(BundleLayout.WeightsPath(dir), temporary => File.Copy(weightsSource, temporary, true));
        AtomicFile.WriteAllText(BundleLayout.ManifestPath(dir), BundleJson.Write(manifest));
        AtomicFile.WriteAllText(BundleLayout.ModelCardMarkdownPath(dir), ModelCard.Markdown(manifest));
        AtomicFile.WriteAllText(BundleLayout.ModelCardJsonPath(dir), ModelCard.Json(manifest));
    }

    /// <summary>The SHA-256 of a file's bytes, lower-case hex.</summary>
    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>A zip of the folder's bundle files at <paramref name="archive"/>, written atomically.</summary>
    public static void WriteArchive(string dir, string archive)
    {
        var full = Path.GetFullPath(archive);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        AtomicFile.Write(full, temporary =>
        {
            using var zip = ZipFile.Open(temporary, ZipArchiveMode.Create);
            foreach (var name in BundleLayout.Files)
                zip.CreateEntryFromFile(Path.Combine(dir, name), name, CompressionLevel.Optimal);
        });
    }

    /// <summary>Reads a bundle folder, or an archive of one (any file that is not a folder).</summary>
    /// <exception cref="BundleException">Missing, unreadable, of another format version, malformed or altered.</exception>
    public static LoadedBundle Read(string path)
    {
        if (Directory.Exists(path)) return ReadFolder(path);
        if (File.Exists(path)) return ReadArchive(path);
        throw new BundleException($"{path}: no such bundle folder or archive");
    }

    private static LoadedBundle ReadFolder(string dir)
    {
        var manifestFile = BundleLayout.ManifestPath(dir);
        var manifest = BundleJson.Read(ReadText(manifestFile), manifestFile);
        var weightsFile = BundleLayout.WeightsPath(dir);
        if (!File.Exists(weightsFile)) throw new BundleException($"{weightsFile}: missing (the bundle's weights)");
        byte[] weights;
        try { weights = File.ReadAllBytes(weightsFile); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new BundleException($"{weightsFile}: cannot read ({e.GetType().Name})"); }
        return Checked(dir, manifest, weights, weightsFile, manifestFile);
    }

    private static string ReadText(string file)
    {
        if (!File.Exists(file)) throw new BundleException($"{file}: missing (not a model bundle?)");
        try { return File.ReadAllText(file, Encoding.UTF8); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new BundleException($"{file}: cannot read ({e.GetType().Name})"); }
    }

    private static LoadedBundle ReadArchive(string archive)
    {
        try
        {
            using var zip = ZipFile.OpenRead(archive);
            var manifestName = $"{archive}:{BundleLayout.Manifest}";
            var manifestEntry = zip.GetEntry(BundleLayout.Manifest) ?? throw new BundleException($"{manifestName}: missing (not a model bundle archive?)");
            string text;
            using (var reader = new StreamReader(manifestEntry.Open(), Encoding.UTF8)) text = reader.ReadToEnd();
            var manifest = BundleJson.Read(text, manifestName);
            var weightsName = $"{archive}:{BundleLayout.Weights}";
            var weightsEntry = zip.GetEntry(BundleLayout.Weights) ?? throw new BundleException($"{weightsName}: missing (the bundle's weights)");
            using var buffer = new MemoryStream();
            using (var stream = weightsEntry.Open()) stream.CopyTo(buffer);
            return Checked(archive, manifest, buffer.ToArray(), weightsName, manifestName);
        }
        catch (InvalidDataException)
        {
            throw new BundleException($"{archive}: not a bundle folder nor a readable zip archive of one");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BundleException($"{archive}: cannot read ({e.GetType().Name})");
        }
    }

    private static LoadedBundle Checked(string location, BundleManifest manifest, byte[] weights, string weightsName, string manifestName)
    {
        var sha = Sha256(weights);
        if (sha != manifest.Weights.Sha256)
            throw new BundleException($"{weightsName}: its SHA-256 is not the one {manifestName} key 'weights.sha256' records (altered or replaced weights)");
        return new LoadedBundle(location, manifest, weights);
    }
}
