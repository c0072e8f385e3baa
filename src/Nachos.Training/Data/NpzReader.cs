using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Nachos.Shared.Data;

namespace Nachos.Training.Data;

/// <summary>A numeric array read from a .npy member: its shape and its values as floats (C order).</summary>
public sealed record NpyArray(int[] Shape, float[] Values);

/// <summary>Reads the arrays of a NumPy .npz archive (plain or compressed), as MedMNIST ships them.</summary>
public static partial class NpzReader
{
    public static Dictionary<string, NpyArray> Read(string path)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var arrays = new Dictionary<string, NpyArray>();
            foreach (var entry in zip.Entries.Where(e => e.Name.EndsWith(".npy", StringComparison.Ordinal)))
            {
                using var s = entry.Open();
                using var ms = new MemoryStream();
                s.CopyTo(ms);
                arrays[entry.Name[..^4]] = ParseNpy(ms.ToArray(), $"{path}:{entry.Name}");
            }
            return arrays;
        }
        catch (InvalidDataException e)
        {
            throw new DataException($"{path}: not a readable .npz archive ({e.Message})");
        }
    }

    public static NpyArray ParseNpy(byte[] b, string where)
    {
        if (b.Length < 10 || b[0] != 0x93 || Encoding.ASCII.GetString(b, 1, 5) != "NUMPY")
            throw new DataException($"{where}: not a .npy array");
        var major = b[6];
        var headerLen = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(8));
        var start = major == 1 ? 10 : 12;
        var header = Encoding.ASCII.GetString(b, start, headerLen);
        var descr = DescrPattern().Match(header).Groups[1].Value;
        if (FortranPattern().IsMatch(header)) throw new DataException($"{where}: Fortran-ordered arrays are not supported");
        var shape = ShapePattern().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        var count = shape.Aggregate(1L, (a, d) => a * d);
        var data = b.AsSpan(start + headerLen);
        var values = new float[count];
        var little = descr[0] is '<' or '|' or '=';
        if (!little) throw new DataException($"{where}: big-endian arrays ({descr}) are not supported");
        switch (descr[1..])
        {
            case "u1": for (var i = 0; i < count; i++) values[i] = data[i]; break;
            case "b1": for (var i = 0; i < count; i++) values[i] = data[i] != 0 ? 1 : 0; break;
            case "i1": for (var i = 0; i < count; i++) values[i] = (sbyte)data[i]; break;
            case "i4": for (var i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadInt32LittleEndian(data[(i * 4)..]); break;
            case "i8": for (var i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadInt64LittleEndian(data[(i * 8)..]); break;
            case "f4": for (var i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]); break;
            case "f8": for (var i = 0; i < count; i++) values[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(data[(i * 8)..]); break;
            default: throw new DataException($"{where}: unsupported dtype '{descr}'");
        }
        return new NpyArray(shape, values);
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order':\s*True")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
