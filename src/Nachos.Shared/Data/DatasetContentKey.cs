using System.Security.Cryptography;
using System.Text;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Data;

/// <summary>
/// Names the decoded content of a CSV dataset without decoding it: a SHA-256 of the image size and channels, and of
/// every manifest row's id and image path with the file's size and modification time (read from the file system,
/// not from the file). Any edited, replaced, added or removed image, or another image size, gives another key.
/// </summary>
public static class DatasetContentKey
{
    /// <summary>Part of the key: a new layout of the cached data takes a new version.</summary>
    public const int Version = 1;

    public static byte[] Of(Manifest manifest, ImageSpec image)
    {
        var text = new StringBuilder();
        text.Append($"nachos-image-cache {Version}\n{image.Channels} {image.Height} {image.Width} {image.MaxPixels}\n");
        foreach (var s in manifest.Samples)
        {
            var file = new FileInfo(s.ImagePath);
            var stamp = file.Exists ? $"{file.Length} {file.LastWriteTimeUtc.Ticks}" : "-";
            text.Append(s.Id).Append('\0').Append(s.ImagePath).Append('\0').Append(stamp).Append('\n');
        }
        return SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>The same for a .npz dataset: its path, size and modification time, the parts read and the image size.</summary>
    public static byte[] OfNpz(string path, IEnumerable<string> parts, ImageSpec image)
    {
        var file = new FileInfo(path);
        var stamp = file.Exists ? $"{file.Length} {file.LastWriteTimeUtc.Ticks}" : "-";
        var text = $"nachos-npz {Version}\n{image.Channels} {image.Height} {image.Width} {image.MaxPixels}\n{file.FullName}\0{stamp}\n{string.Join(",", parts)}\n";
        return SHA256.HashData(Encoding.UTF8.GetBytes(text));
    }
}
