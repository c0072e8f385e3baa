using System.Buffers.Binary;
using Nachos.Shared.Data;
using Nachos.Training.Images;
using StbImageWriteSharp;

namespace Nachos.Training.Tests;

/// <summary>Images refused from their header before decoding (too many pixels), and undecodable ones named plainly.</summary>
public sealed class ImageHeaderTests
{
    [Fact]
    public void A_png_declaring_more_pixels_than_the_maximum_is_refused_before_decoding()
    {
        using var dir = new TempDir();
        var path = dir.File("huge.png");
        File.WriteAllBytes(path, PngBytes.Header(20000, 20000));
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataException>(() => ImageDecoder.Load(path, 1, 64, 64));
        Assert.Equal($"{path}: the header declares 20000 × 20000 pixels (400 megapixels), more than image.max_megapixels (50)", e.Message);
        // 400 MB of grey pixels were never allocated.
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - allocated, 0, 1 << 20);
    }

    [Fact]
    public void The_maximum_is_the_callers()
    {
        using var dir = new TempDir();
        var path = dir.File("a.png");
        using (var f = File.Create(path)) new ImageWriter().WritePng(new byte[32 * 32], 32, 32, ColorComponents.Grey, f);
        Assert.Equal(64, ImageDecoder.Load(path, 1, 8, 8, maxPixels: 1024).Length);
        var e = Assert.Throws<DataException>(() => ImageDecoder.Load(path, 1, 8, 8, maxPixels: 1023));
        Assert.Contains("declares 32 × 32 pixels", e.Message);
    }

    [Fact]
    public void A_jpeg_declaring_more_pixels_than_the_maximum_is_refused()
    {
        using var dir = new TempDir();
        var path = dir.File("huge.jpg");
        using (var f = File.Create(path)) new ImageWriter().WriteJpg(new byte[8 * 8], 8, 8, ColorComponents.Grey, f, 90);
        var jpeg = File.ReadAllBytes(path);
        var sof = Enumerable.Range(0, jpeg.Length - 1).First(i => jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), 30000); // height
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), 30000); // width
        File.WriteAllBytes(path, jpeg);
        var e = Assert.Throws<DataException>(() => ImageDecoder.Load(path, 1, 8, 8));
        Assert.Contains("declares 30000 × 30000 pixels (900 megapixels)", e.Message);
    }

    [Fact]
    public void A_corrupt_png_is_named_in_plain_words_without_bytes_of_the_file()
    {
        using var dir = new TempDir();
        var path = dir.File("bad.png");
        using (var f = File.Create(path)) new ImageWriter().WritePng(Enumerable.Range(0, 64 * 64).Select(i => (byte)i).ToArray(), 64, 64, ColorComponents.Grey, f);
        var png = File.ReadAllBytes(path);
        // Damage the compressed data: the decoder's own message then held NULs and chunk bytes.
        for (var i = 45; i < png.Length - 20; i += 7) png[i] ^= 0x5A;
        File.WriteAllBytes(path, png);
        var e = Assert.Throws<DataException>(() => ImageDecoder.Load(path, 1, 8, 8));
        Assert.Equal($"{path}: cannot decode image (corrupt or truncated image data)", e.Message);

        File.WriteAllBytes(path, png[..60]);
        Assert.Equal($"{path}: cannot decode image (corrupt or truncated image data)", Assert.Throws<DataException>(() => ImageDecoder.Load(path, 1, 8, 8)).Message);

        File.WriteAllText(path, "canary: not an image");
        Assert.Equal($"{path}: not a PNG, JPEG or BMP image (unrecognised header)", Assert.Throws<DataException>(() => ImageDecoder.Load(path, 1, 8, 8)).Message);
    }
}
