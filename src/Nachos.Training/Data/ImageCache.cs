using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text;
using Nachos.Shared.Data;
using Nachos.Shared.Files;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;

namespace Nachos.Training.Data;

/// <summary>
/// Decoded, resized images of one dataset content (a folder per <see cref="DatasetContentKey"/>) on the run's shared
/// path, so the tasks of a study decode each image once. The folder holds immutable segments: a header (magic,
/// version, key, shape, count), an index (id and checksum per image) with its own checksum, then the images' floats,
/// read through a memory map. A segment is written whole under a temporary name and renamed into place, so a reader
/// or a crashed writer never leaves or sees half of one. Missing images are decoded by one process at a time (an
/// flock on the folder's lock file) and added as a new segment. A segment whose header, length or checksums do not
/// match is deleted and its images decoded again: nothing in the cache is used unchecked.
/// </summary>
public sealed class ImageCache(string folder, byte[] key, ImageSpec image)
{
    public const int Version = 1;
    private const int FixedHeader = 64;
    private static ReadOnlySpan<byte> Magic => "NACHOSIC"u8;

    /// <summary>How long a process waits for another that decodes into the same folder before decoding itself.</summary>
    public static TimeSpan LockWait { get; set; } = TimeSpan.FromMinutes(15);

    private int Pixels => image.Channels * image.Height * image.Width;

    /// <param name="decode">Decodes samples missing from the cache: their images and, by id, why others failed (not cached).</param>
    public (Dictionary<string, float[]> Images, IReadOnlyDictionary<string, string> Failures) Load(
        IReadOnlyList<Sample> samples, Func<IReadOnlyList<Sample>, (IReadOnlyDictionary<string, float[]> Images, IReadOnlyDictionary<string, string> Failures)> decode)
    {
        Directory.CreateDirectory(folder);
        var images = new Dictionary<string, float[]>();
        ReadInto(images, samples);
        if (images.Count == samples.Count) return (images, new Dictionary<string, string>());
        using var held = Lock();
        ReadInto(images, samples); // another process may have added them while this one waited
        var missing = samples.Where(s => !images.ContainsKey(s.Id)).ToList();
        if (missing.Count == 0) return (images, new Dictionary<string, string>());
        var (decoded, failures) = decode(missing);
        var added = missing.Where(s => decoded.ContainsKey(s.Id)).Select(s => (s.Id, decoded[s.Id])).ToList();
        if (added.Count > 0) Write(added);
        foreach (var (id, values) in added) images[id] = values;
        return (images, failures);
    }

    /// <summary>Copies the wanted images found in valid segments; deletes the segments that fail a check.</summary>
    private void ReadInto(Dictionary<string, float[]> images, IReadOnlyList<Sample> wanted)
    {
        var open = wanted.Where(s => !images.ContainsKey(s.Id)).Select(s => s.Id).ToHashSet();
        foreach (var path in Directory.EnumerateFiles(folder, "*" + RunLayout.ImageCacheSegmentExtension).Order(StringComparer.Ordinal))
        {
            if (open.Count == 0) return;
            Dictionary<string, float[]>? found;
            try
            {
                found = ReadSegment(path, open);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // gone (deleted by another reader as damaged) or unreadable: decode instead
            }
            if (found is null)
            {
                TryDelete(path);
                continue;
            }
            foreach (var (id, values) in found)
            {
                images[id] = values;
                open.Remove(id);
            }
        }
    }

    /// <summary>The wanted images of one segment, or null when the segment is damaged or not of this key and shape.</summary>
    private Dictionary<string, float[]>? ReadSegment(string path, HashSet<string> wanted)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        var length = file.Length;
        if (length < FixedHeader + 8) return null;
        var head = new byte[FixedHeader];
        file.ReadExactly(head);
        if (!head.AsSpan(0, 8).SequenceEqual(Magic)) return null;
        var r = new BinaryReader(new MemoryStream(head));
        r.ReadBytes(8);
        if (r.ReadInt32() != Version || !r.ReadBytes(32).AsSpan().SequenceEqual(key)) return null;
        if (r.ReadInt32() != image.Channels || r.ReadInt32() != image.Height || r.ReadInt32() != image.Width) return null;
        var count = r.ReadInt32();
        var indexBytes = r.ReadInt32();
        var dataBytes = (long)count * Pixels * sizeof(float);
        if (count < 0 || indexBytes < 0 || length != FixedHeader + indexBytes + 8L + dataBytes) return null;
        var index = new byte[indexBytes + 8];
        file.ReadExactly(index);
        var sum = Checksum.Of(head, index.AsSpan(0, indexBytes));
        if (sum != BitConverter.ToUInt64(index, indexBytes)) return null;

        var entries = new List<(string Id, int Slot, ulong Sum)>();
        var ir = new BinaryReader(new MemoryStream(index, 0, indexBytes), Encoding.UTF8);
        for (var i = 0; i < count; i++)
        {
            var (id, entrySum) = (ir.ReadString(), ir.ReadUInt64());
            if (wanted.Contains(id)) entries.Add((id, i, entrySum));
        }
        var found = new Dictionary<string, float[]>();
        if (entries.Count == 0) return found;
        using var map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        using var view = map.CreateViewAccessor(FixedHeader + indexBytes + 8L, dataBytes, MemoryMappedFileAccess.Read);
        foreach (var (id, slot, entrySum) in entries)
        {
            var values = new float[Pixels];
            view.ReadArray((long)slot * Pixels * sizeof(float), values, 0, Pixels);
            if (Checksum.Of(MemoryMarshal.AsBytes(values.AsSpan())) != entrySum) return null;
            found[id] = values;
        }
        return found;
    }

    private void Write(IReadOnlyList<(string Id, float[] Values)> entries)
    {
        var index = new MemoryStream();
        using (var w = new BinaryWriter(index, Encoding.UTF8, leaveOpen: true))
            foreach (var (id, values) in entries)
            {
                w.Write(id);
                w.Write(Checksum.Of(MemoryMarshal.AsBytes(values.AsSpan())));
            }
        var head = new byte[FixedHeader];
        using (var w = new BinaryWriter(new MemoryStream(head)))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write(key);
            w.Write(image.Channels);
            w.Write(image.Height);
            w.Write(image.Width);
            w.Write(entries.Count);
            w.Write((int)index.Length);
        }
        var indexBytes = index.ToArray();
        // A fresh name: no other writer renames onto it, and no reader can see it before it is whole.
        var path = Path.Combine(folder, Guid.NewGuid().ToString("N") + RunLayout.ImageCacheSegmentExtension);
        AtomicFile.Write(path, temporary =>
        {
            using var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write);
            file.Write(head);
            file.Write(indexBytes);
            file.Write(BitConverter.GetBytes(Checksum.Of(head, indexBytes)));
            foreach (var (_, values) in entries) file.Write(MemoryMarshal.AsBytes(values.AsSpan()));
        });
    }

    /// <summary>The folder's lock, or null after <see cref="LockWait"/> (then this process decodes too: duplicate work, same result).</summary>
    private FileStream? Lock()
    {
        var path = RunLayout.ImageCacheLockPath(folder);
        var until = DateTime.UtcNow + LockWait;
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive flock on Unix; the kernel releases it when the holder dies.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < until)
            {
                Thread.Sleep(50);
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>A fast 64-bit checksum (FNV-1a over 8-byte words with a final mix): detects damage, not tampering.</summary>
    private static class Checksum
    {
        public static ulong Of(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second = default) => Add(Add(0xcbf29ce484222325UL, first), second);

        private static ulong Add(ulong h, ReadOnlySpan<byte> bytes)
        {
            var words = MemoryMarshal.Cast<byte, ulong>(bytes);
            foreach (var w in words) h = (h ^ w) * 0x100000001b3UL ^ (h >> 29);
            for (var i = words.Length * 8; i < bytes.Length; i++) h = (h ^ bytes[i]) * 0x100000001b3UL;
            return h ^ (ulong)bytes.Length;
        }
    }
}
