using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Training.Data;
using Nachos.Shared.SpecLoading;

namespace Nachos.Training.Tests;

/// <summary>.npy members and .npz datasets that cannot be used: a <see cref="DataException"/> naming the member and the fault.</summary>
public sealed class NpzMalformedTests
{
    private const string Where = "d.npz:train_images.npy";

    private static string Fault(byte[] npy) => Assert.Throws<DataException>(() => NpzReader.ParseNpy(npy, Where)).Message;

    private static byte[] Header(string dictionary, int dataBytes = 64) => NpyWriter.NpyWithHeader(dictionary, new byte[dataBytes]);

    [Theory]
    [InlineData("{'fortran_order': False, 'shape': (8, 8), }", "the .npy header has no 'descr' (dtype) string")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, }", "the .npy header has no 'shape'")]
    [InlineData("{'descr': '|u1', 'fortran_order': False, 'shape': (-1, 8), }", "the .npy shape has a negative dimension (-1)")]
    [InlineData("{'descr': '|u1', 'fortran_order': False, 'shape': (99999999999, 8), }", "the .npy shape has a dimension of 99999999999, too large")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2000000000, 2000000000, 8), }", "shape (2000000000, 2000000000, 8) needs 256000000000000000000 bytes of data, the array holds 64")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 8, 8), }", "shape (3, 8, 8) needs 768 bytes of data, the array holds 64")]
    [InlineData("{'descr': '|u1', 'fortran_order': False, 'shape': (8, x), }", "the .npy shape must be a tuple of integers")]
    [InlineData("{'descr': '<f2', 'fortran_order': False, 'shape': (8,), }", "unsupported dtype '<f2'")]
    public void A_malformed_header_names_the_member_and_the_fault(string dictionary, string fault)
    {
        Assert.Equal($"{Where}: {fault}", Fault(Header(dictionary)));
    }

    [Fact]
    public void A_header_longer_than_the_member_or_than_numpys_limit_is_refused()
    {
        var npy = Header("{'descr': '|u1', 'fortran_order': False, 'shape': (8,), }");
        BitConverter.GetBytes((ushort)5000).CopyTo(npy, 8);
        Assert.Equal($"{Where}: the .npy header (5000 bytes) runs past the end of the array ({npy.Length} bytes)", Fault(npy));

        // Version 2.0 has a 4-byte header length: 0xFFFFFFFF was a negative int.
        byte[] v2 = [0x93, .. "NUMPY"u8, 2, 0, 0xFF, 0xFF, 0xFF, 0xFF, .. new byte[64]];
        Assert.Equal($"{Where}: the .npy header declares 4294967295 bytes, more than 10000", Fault(v2));

        byte[] v9 = [0x93, .. "NUMPY"u8, 9, 0, 0, 0, 0, 0];
        Assert.Equal($"{Where}: .npy format version 9 is not supported (1, 2 or 3)", Fault(v9));
    }

    [Fact]
    public void A_dtype_is_quoted_cut_short()
    {
        var message = Fault(Header($"{{'descr': '<{new string('x', 500)}', 'fortran_order': False, 'shape': (8,), }}"));
        Assert.EndsWith("unsupported dtype '<xxxxxxxxxxx…'", message);
    }

    private static StudySpec Spec(TempDir dir) =>
        SpecLoader.LoadFile(dir.Write("spec.yaml", "dataset:\n  npz: d.npz\n  npz_parts: [train]\nimage: { size: 8 }\nsplit: { stratify: false }\n"));

    private static string LoadFault(Dictionary<string, byte[]> members)
    {
        using var dir = new TempDir();
        NpyWriter.Npz(dir.File("d.npz"), members, compressed: false);
        var e = Assert.Throws<DataException>(() => DatasetLoader.Load(Spec(dir)));
        Assert.StartsWith(dir.File("d.npz"), e.Message);
        return e.Message;
    }

    private static byte[] Floats(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    private static readonly byte[] TwoLabels = NpyWriter.Npy("|u1", [2], [0, 1]);

    [Fact]
    public void Zero_dimensional_images_or_labels_are_refused()
    {
        Assert.EndsWith("train_images must be N×H×W or N×H×W×C, got ()",
            LoadFault(new() { ["train_images"] = NpyWriter.Npy("|u1", [], [7]), ["train_labels"] = TwoLabels }));
        Assert.EndsWith("train_labels must be N or N×L, got ()",
            LoadFault(new() { ["train_images"] = NpyWriter.Npy("|u1", [2, 4, 4], new byte[32]), ["train_labels"] = NpyWriter.Npy("|u1", [], [1]) }));
    }

    [Fact]
    public void Nan_or_infinite_pixels_are_refused_naming_the_image()
    {
        var pixels = new float[2 * 4 * 4];
        pixels[16 + 5] = float.NaN;
        Assert.EndsWith("train_images row 1 holds NaN; every value must be a finite number",
            LoadFault(new() { ["train_images"] = NpyWriter.Npy("<f4", [2, 4, 4], Floats(pixels)), ["train_labels"] = TwoLabels }));
        pixels[16 + 5] = 0;
        pixels[3] = float.PositiveInfinity;
        Assert.EndsWith("train_images row 0 holds an infinite value; every value must be a finite number",
            LoadFault(new() { ["train_images"] = NpyWriter.Npy("<f4", [2, 4, 4], Floats(pixels)), ["train_labels"] = TwoLabels }));
    }

    [Fact]
    public void Two_channel_or_empty_images_are_refused()
    {
        Assert.EndsWith("train_images has 2 channels; expected 1 (grayscale) or 3 (RGB)",
            LoadFault(new() { ["train_images"] = NpyWriter.Npy("|u1", [2, 4, 4, 2], new byte[64]), ["train_labels"] = TwoLabels }));
        Assert.EndsWith("train_images has empty images (2, 0, 4)",
            LoadFault(new() { ["train_images"] = NpyWriter.Npy("|u1", [2, 0, 4], []), ["train_labels"] = TwoLabels }));
    }

    [Fact]
    public void A_member_shorter_than_its_shape_is_refused_through_the_loader()
    {
        Assert.Contains("train_images.npy: shape (2, 4, 4) needs 32 bytes of data, the array holds 20",
            LoadFault(new() { ["train_images"] = NpyWriter.Npy("|u1", [2, 4, 4], new byte[20]), ["train_labels"] = TwoLabels }));
    }
}
