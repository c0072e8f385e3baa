using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;
using Nachos.Shared.Data;

namespace Nachos.Training.Data;

/// <summary>A numeric array read from a .npy member: its shape and its values as floats (C order).</summary>
public sealed record NpyArray(int[] Shape, float[] Values);

/// <summary>Reads the arrays of a NumPy .npz archive (plain or compressed), as MedMNIST ships them.</summary>
public static partial class NpzReader
{
    /// <summary>NumPy's own default limit (<c>max_header_size</c>): a .npy header is a short dictionary.</summary>
    public const int MaxHeaderBytes = 10_000;

    public static Dictionary<string, NpyArray> Read(string path)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var arrays = new Dictionary<string, NpyArray>();
            foreach (var entry in zip.Entries.Where(e => e.Name.EndsWith(".npy", StringComparison.Ordinal)))
            {
                var where = $"{path}:{entry.FullName}";
                if (entry.Length > Array.MaxLength) throw new DataException($"{where}: {entry.Length} bytes, too large for one array");
                using var s = entry.Open();
                using var ms = new MemoryStream();
                s.CopyTo(ms);
                arrays[entry.Name[..^4]] = ParseNpy(ms.ToArray(), where);
            }
            return arrays;
        }
        catch (InvalidDataException e)
        {
            throw new DataException($"{path}: not a readable .npz archive ({e.Message})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataException($"{path}: cannot read ({e.Message})");
        }
    }

    /// <summary>Parses one .npy array. Anything malformed is a <see cref="DataException"/> naming <paramref name="where"/>.</summary>
    public static NpyArray ParseNpy(byte[] b, string where)
    {
        if (b.Length < 10 || b[0] != 0x93 || Encoding.ASCII.GetString(b, 1, 5) != "NUMPY")
            throw new DataException($"{where}: not a .npy array");
        var major = b[6];
        if (major is not (1 or 2 or 3)) throw new DataException($"{where}: .npy format version {major} is not supported (1, 2 or 3)");
        var start = major == 1 ? 10 : 12;
        if (b.Length < start) throw new DataException($"{where}: truncated .npy header");
        long headerLen = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(8)) : BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(8));
        if (headerLen > MaxHeaderBytes)
            throw new DataException($"{where}: the .npy header declares {headerLen} bytes, more than {MaxHeaderBytes}");
        if (start + headerLen > b.Length)
            throw new DataException($"{where}: the .npy header ({headerLen} bytes) runs past the end of the array ({b.Length} bytes)");
        var header = Encoding.ASCII.GetString(b, start, (int)headerLen);
        var descrMatch = DescrPattern().Match(header);
        if (!descrMatch.Success) throw new DataException($"{where}: the .npy header has no 'descr' (dtype) string");
        var descr = descrMatch.Groups[1].Value;
        if (FortranPattern().IsMatch(header)) throw new DataException($"{where}: Fortran-ordered arrays are not supported");
        var shapeMatch = ShapePattern().Match(header);
        if (!shapeMatch.Success) throw new DataException($"{where}: the .npy header has no 'shape'");
        var shape = Shape(shapeMatch.Groups[1].Value, where);
        if (descr[0] is not ('<' or '|' or '=')) throw new DataException($"{where}: big-endian arrays ({Clip(descr)}) are not supported");
        var itemSize = descr[1..] switch
        {
            "u1" or "b1" or "i1" => 1,
            "i4" or "f4" => 4,
            "i8" or "f8" => 8,
            _ => throw new DataException($"{where}: unsupported dtype '{Clip(descr)}'"),
        };
        var data = b.AsSpan(start + (int)headerLen);
        var bytes = shape.Aggregate(BigInteger.One, (a, d) => a * d) * itemSize;
        if (bytes > data.Length)
            throw new DataException($"{where}: shape ({string.Join(", ", shape)}) needs {bytes} bytes of data, the array holds {data.Length}");
        var count = (int)(bytes / itemSize);
        var values = new float[count];
        switch (descr[1..])
        {
            case "u1": for (var i = 0; i < count; i++) values[i] = data[i]; break;
            case "b1": for (var i = 0; i < count; i++) values[i] = data[i] != 0 ? 1 : 0; break;
            case "i1": for (var i = 0; i < count; i++) values[i] = (sbyte)data[i]; break;
            case "i4": for (var i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadInt32LittleEndian(data[(i * 4)..]); break;
            case "i8": for (var i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadInt64LittleEndian(data[(i * 8)..]); break;
            case "f4": for (var i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]); break;
            case "f8": for (var i = 0; i < count; i++) values[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(data[(i * 8)..]); break;
        }
        return new NpyArray(shape, values);
    }

    private static int[] Shape(string tuple, string where)
    {
        var parts = tuple.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var shape = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var d))
                throw new DataException($"{where}: the .npy shape must be a tuple of integers");
            if (d < 0) throw new DataException($"{where}: the .npy shape has a negative dimension ({d})");
            if (d > Array.MaxLength) throw new DataException($"{where}: the .npy shape has a dimension of {d}, too large");
            shape[i] = (int)d;
        }
        return shape;
    }

    /// <summary>A dtype as the header gives it, cut short: enough to recognise, never a long run of the file.</summary>
    private static string Clip(string descr) => descr.Length <= 12 ? descr : descr[..12] + "…";

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order':\s*True")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
