using System.Buffers.Binary;

namespace Nachos.Training.Tests;

/// <summary>Hand-made PNG files for loader tests (also linked into the end-to-end tests).</summary>
public static class PngBytes
{
    /// <summary>A PNG of a few dozen bytes whose header declares <paramref name="width"/> × <paramref name="height"/> grey pixels.</summary>
    public static byte[] Header(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth; colour type 0 (grey), no interlace
        return [0x89, .. "PNG\r\n\x1a\n"u8, .. Chunk("IHDR", ihdr), .. Chunk("IDAT", [0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]), .. Chunk("IEND", [])];
    }

    /// <summary>A whole PNG of <paramref name="width"/> × <paramref name="height"/> 16-bit grey pixels (row-major values).</summary>
    public static byte[] Grey16(int width, int height, ushort[] values)
    {
        var raw = new byte[height * (1 + 2 * width)];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                BinaryPrimitives.WriteUInt16BigEndian(raw.AsSpan(y * (1 + 2 * width) + 1 + 2 * x), values[y * width + x]);
        return Png(width, height, 16, 0, raw, []);
    }

    /// <summary>A whole indexed-colour PNG (8-bit indices into a palette of <paramref name="colours"/> RGB entries).</summary>
    public static byte[] Palette(int width, int height, byte[] indices, int colours)
    {
        var raw = new byte[height * (1 + width)];
        for (var y = 0; y < height; y++) indices.AsSpan(y * width, width).CopyTo(raw.AsSpan(y * (1 + width) + 1));
        var palette = Enumerable.Range(0, colours).SelectMany(i => new[] { (byte)(i * 40), (byte)(255 - i * 40), (byte)(i * 10) }).ToArray();
        return Png(width, height, 8, 3, raw, Chunk("PLTE", palette));
    }

    /// <summary>A PNG of filtered scanlines (<paramref name="raw"/>: filter byte 0 then the row, per row).</summary>
    private static byte[] Png(int width, int height, byte depth, byte colourType, byte[] raw, byte[] extraChunks)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        (ihdr[8], ihdr[9]) = (depth, colourType);
        using var z = new MemoryStream();
        using (var deflate = new System.IO.Compression.ZLibStream(z, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true)) deflate.Write(raw);
        return [0x89, .. "PNG\r\n\x1a\n"u8, .. Chunk("IHDR", ihdr), .. extraChunks, .. Chunk("IDAT", z.ToArray()), .. Chunk("IEND", [])];
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
