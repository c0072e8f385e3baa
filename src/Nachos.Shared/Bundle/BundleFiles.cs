using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Nachos.Shared.Files;

namespace Nachos.Shared.Bundle;

/// <summary>
/// A bundle read and checked: its manifest and its weights' bytes, which match the manifest's SHA-256; for a fold
/// ensemble no weights of its own and its members, each a one-model bundle read and checked the same way.
/// </summary>
/// <param name="Location">The folder or archive it was read from.</param>
public sealed record LoadedBundle(string Location, BundleManifest Manifest, byte[] Weights, IReadOnlyList<LoadedBundle>? Members = null);

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

    /// <summary>
    /// Writes a fold ensemble's folder <paramref name="dir"/>: each member's one-model bundle in its folder
    /// (<see cref="BundleManifest.Members"/>, in that order), then the ensemble's bundle.json and model card.
    /// </summary>
    public static void WriteEnsemble(string dir, BundleManifest manifest, IReadOnlyList<(BundleManifest Manifest, string WeightsSource)> members)
    {
        var listed = manifest.Members ?? throw new ArgumentException("not a fold ensemble's manifest", nameof(manifest));
        if (listed.Count != members.Count) throw new ArgumentException($"{listed.Count} members listed, {members.Count} given", nameof(members));
        Directory.CreateDirectory(dir);
        for (var i = 0; i < members.Count; i++) Write(Path.Combine(dir, listed[i].Path), members[i].Manifest, members[i].WeightsSource);
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
            var manifestFile = BundleLayout.ManifestPath(dir);
            var manifest = BundleJson.Read(ReadText(manifestFile), manifestFile);
            using var zip = ZipFile.Open(temporary, ZipArchiveMode.Create);
            foreach (var name in BundleLayout.FilesOf(manifest))
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

    /// <summary>The files of a bundle by their '/'-separated name in it: how errors name them, and their bytes (null when missing).</summary>
    private interface IEntries
    {
        string Name(string entry);
        byte[]? Bytes(string entry);
    }

    private sealed class FolderEntries(string dir) : IEntries
    {
        public string Name(string entry) => Path.Combine(dir, entry);

        public byte[]? Bytes(string entry)
        {
            var file = Name(entry);
            if (!File.Exists(file)) return null;
            try { return File.ReadAllBytes(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new BundleException($"{file}: cannot read ({e.GetType().Name})"); }
        }
    }

    private sealed class ArchiveEntries(string archive, ZipArchive zip) : IEntries
    {
        public string Name(string entry) => $"{archive}:{entry}";

        public byte[]? Bytes(string entry)
        {
            if (zip.GetEntry(entry) is not { } e) return null;
            using var buffer = new MemoryStream();
            using (var stream = e.Open()) stream.CopyTo(buffer);
            return buffer.ToArray();
        }
    }

    private static LoadedBundle ReadFolder(string dir) => Read(dir, new FolderEntries(dir), "");

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
            return Read(archive, new ArchiveEntries(archive, zip), "");
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

    /// <summary>The bundle whose files are under <paramref name="prefix"/> ("" or a member's folder and '/').</summary>
    private static LoadedBundle Read(string location, IEntries entries, string prefix)
    {
        var manifestName = entries.Name(prefix + BundleLayout.Manifest);
        var text = entries.Bytes(prefix + BundleLayout.Manifest) is { } bytes
            ? new UTF8Encoding(false).GetString(bytes).TrimStart('\uFEFF')
            : throw new BundleException($"{manifestName}: missing (not a model bundle?)");
        var manifest = BundleJson.Read(text, manifestName);
        if (manifest.Members is { } members)
        {
            if (prefix.Length > 0) throw new BundleException($"{manifestName}: a fold ensemble's member is itself an ensemble");
            var loaded = new List<LoadedBundle>();
            foreach (var (member, i) in members.Select((m, i) => (m, i)))
            {
                var read = Read(location, entries, member.Path + "/");
                if (read.Manifest.Weights!.Sha256 != member.WeightsSha256)
                    throw new BundleException($"{entries.Name(member.Path + "/" + BundleLayout.Weights)}: its SHA-256 is not the one {manifestName} key 'members[{i}].weights_sha256' records (altered or replaced member)");
                if (read.Manifest.Task != manifest.Task || !read.Manifest.Classes.SequenceEqual(manifest.Classes))
                    throw new BundleException($"{entries.Name(member.Path + "/" + BundleLayout.Manifest)}: its task or classes are not the ensemble's ({manifestName})");
                loaded.Add(read);
            }
            return new LoadedBundle(location, manifest, [], loaded);
        }
        var weightsName = entries.Name(prefix + BundleLayout.Weights);
        var weights = entries.Bytes(prefix + BundleLayout.Weights) ?? throw new BundleException($"{weightsName}: missing (the bundle's weights)");
        return Checked(location, manifest, weights, weightsName, manifestName);
    }

    private static LoadedBundle Checked(string location, BundleManifest manifest, byte[] weights, string weightsName, string manifestName)
    {
        var sha = Sha256(weights);
        if (sha != manifest.Weights!.Sha256)
            throw new BundleException($"{weightsName}: its SHA-256 is not the one {manifestName} key 'weights.sha256' records (altered or replaced weights)");
        return new LoadedBundle(location, manifest, weights);
    }
}
