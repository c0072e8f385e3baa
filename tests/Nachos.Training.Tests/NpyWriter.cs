using System.IO.Compression;
using System.Text;

namespace Nachos.Training.Tests;

/// <summary>Writes .npz archives the way NumPy does (version 1.0 .npy members), for loader tests.</summary>
public static class NpyWriter
{
    public static byte[] Npy(string descr, int[] shape, byte[] data)
    {
        var dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        return NpyWithHeader($"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}", data);
    }

    /// <summary>A version 1.0 member with <paramref name="header"/> as its dictionary, padded as NumPy pads it.</summary>
    public static byte[] NpyWithHeader(string header, byte[] data)
    {
        var total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using var ms = new MemoryStream();
        ms.Write([0x93, .. "NUMPY"u8, 1, 0]);
        ms.Write(BitConverter.GetBytes((ushort)header.Length));
        ms.Write(Encoding.ASCII.GetBytes(header));
        ms.Write(data);
        return ms.ToArray();
    }

    public static void Npz(string path, Dictionary<string, byte[]> members, bool compressed)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, bytes) in members)
        {
            var entry = zip.CreateEntry(name + ".npy", compressed ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
            using var s = entry.Open();
            s.Write(bytes);
        }
    }
}
