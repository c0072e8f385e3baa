using System.Text.RegularExpressions;
using Nachos.Training.Tests;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// The bad-input corpus: every case is one file (the text ones in BadInputs/, the binary ones made here) that
/// the real <c>nachos</c> process must refuse with exit code 2 and a message naming the file and the fault,
/// without a stack trace and without echoing the file's content (each text case holds the word "canary").
/// </summary>
public sealed partial class BadInputCorpusTests
{
    private const string CsvSpec = "name: corpus\ndataset:\n  manifest: manifest.csv\n  classes: [normal, lesion]\n  group_column: patient\nimage: { size: 16 }\nsplit: { outer_folds: 2, inner_folds: 2 }\n";
    private const string NpzSpec = "name: corpus\ndataset:\n  npz: data.npz\n  npz_parts: [train]\nimage: { size: 8 }\nsplit: { stratify: false }\n";

    private static string ImageSpec(string imageKeys = "size: 16") =>
        $"name: corpus\ndataset:\n  manifest: manifest.csv\n  classes: [normal, lesion]\nimage: {{ {imageKeys} }}\nsplit: {{ outer_folds: 2, inner_folds: 2 }}\n";

    /// <summary>One case: the file under test (written as <paramref name="Target"/> next to a spec that uses it) and the fault expected.</summary>
    public sealed record Case(string Name, string Target, string Fault, string Spec = "", string Manifest = "", Func<byte[]>? Bytes = null)
    {
        public override string ToString() => Name;
    }

    private static readonly byte[] Labels2 = NpyWriter.Npy("|u1", [2], [0, 1]);

    private static byte[] Npz(Dictionary<string, byte[]> members)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.Delete(path);
            NpyWriter.Npz(path, members, compressed: true);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static byte[] NpzImages(byte[] trainImages) => Npz(new() { ["train_images"] = trainImages, ["train_labels"] = Labels2 });

    private static byte[] OversizedHeader()
    {
        byte[] npy = [0x93, .. "NUMPY"u8, 2, 0, 0, 0, 0, 0, .. new byte[64]];
        BitConverter.GetBytes(2_000_000_000u).CopyTo(npy, 8);
        return npy;
    }

    public static readonly Case[] Cases =
    [
        new("specs/unclosed-bracket.yaml", "spec.yaml", "line 4, column 12: (yaml): this '[' is never closed"),
        new("specs/unclosed-brace.yaml", "spec.yaml", "line 4, column 8: (yaml): this '{' is never closed"),
        new("specs/second-document.yaml", "spec.yaml", "line 4, column 1: (yaml): a second YAML document starts here"),
        new("specs/empty-space-many-trials.yaml", "spec.yaml", "line 5: search.trials: 8 trials over an empty search space would train the same configuration 8 times"),
        new("manifests/unclosed-quote.csv", "manifest.csv", "manifest.csv:3: field 1: a quoted field opens here and its quote is never closed", CsvSpec),
        new("manifests/stray-quote.csv", "manifest.csv", "manifest.csv:3: field 2: malformed quoting", CsvSpec),
        new("manifests/short-row.csv", "manifest.csv", "manifest.csv:3: 2 field(s), but the header has 3", CsvSpec),
        new("images/not-an-image.png", "bad.png", "bad.png: not a PNG, JPEG or BMP image (unrecognised header)", ImageSpec(), "image,label\nbad.png,normal\n"),
        new("images/corrupt.png (generated)", "bad.png", "bad.png: cannot decode image (corrupt or truncated image data)", ImageSpec(), "image,label\nbad.png,normal\n",
            () => PngBytes.Header(8, 8)),
        new("images/20000x20000-header.png (generated)", "bad.png", "bad.png: the header declares 20000 × 20000 pixels (400 megapixels), more than image.max_megapixels (50)",
            ImageSpec(), "image,label\nbad.png,normal\n", () => PngBytes.Header(20000, 20000)),
        new("images/2000x2000-header-over-spec-max.png (generated)", "bad.png", "bad.png: the header declares 2000 × 2000 pixels (4 megapixels), more than image.max_megapixels (1)",
            ImageSpec("size: 16, max_megapixels: 1"), "image,label\nbad.png,normal\n", () => PngBytes.Header(2000, 2000)),
        new("npz/zero-dimensional-images.npz (generated)", "data.npz", "data.npz: train_images must be N×H×W or N×H×W×C, got ()", NpzSpec,
            Bytes: () => NpzImages(NpyWriter.Npy("|u1", [], [1]))),
        new("npz/data-shorter-than-shape.npz (generated)", "data.npz", "data.npz:train_images.npy: shape (2, 8, 8) needs 128 bytes of data, the array holds 100", NpzSpec,
            Bytes: () => NpzImages(NpyWriter.Npy("|u1", [2, 8, 8], new byte[100]))),
        new("npz/negative-shape.npz (generated)", "data.npz", "data.npz:train_images.npy: the .npy shape has a negative dimension (-2)", NpzSpec,
            Bytes: () => NpzImages(NpyWriter.Npy("|u1", [-2, 8, 8], new byte[128]))),
        new("npz/huge-shape.npz (generated)", "data.npz", "data.npz:train_images.npy: shape (2000000000, 2000000000, 8) needs 32000000000000000000 bytes of data, the array holds 128", NpzSpec,
            Bytes: () => NpzImages(NpyWriter.Npy("|u1", [2_000_000_000, 2_000_000_000, 8], new byte[128]))),
        new("npz/no-descr.npz (generated)", "data.npz", "data.npz:train_images.npy: the .npy header has no 'descr' (dtype) string", NpzSpec,
            Bytes: () => NpzImages(NpyWriter.NpyWithHeader("{'fortran_order': False, 'shape': (2, 8, 8), }", new byte[128]))),
        new("npz/oversized-header.npz (generated)", "data.npz", "data.npz:train_images.npy: the .npy header declares 2000000000 bytes, more than 10000", NpzSpec,
            Bytes: () => NpzImages(OversizedHeader())),
        new("npz/nan-pixels.npz (generated)", "data.npz", "data.npz: train_images row 1 holds NaN; every value must be a finite number", NpzSpec,
            Bytes: () => NpzImages(NpyWriter.Npy("<f4", [2, 2, 2], [.. new byte[16], .. BitConverter.GetBytes(float.NaN), .. new byte[12]]))),
    ];

    public static TheoryData<Case> All() => [.. Cases];

    [Theory]
    [MemberData(nameof(All))]
    public void A_bad_input_file_exits_2_naming_the_file_and_the_fault(Case c)
    {
        using var dir = new TempDir();
        var target = dir.File(c.Target);
        if (c.Bytes is not null) File.WriteAllBytes(target, c.Bytes());
        else File.Copy(Path.Combine(AppContext.BaseDirectory, "BadInputs", c.Name), target);
        if (c.Spec.Length > 0) File.WriteAllText(dir.File("spec.yaml"), c.Spec);
        if (c.Manifest.Length > 0) File.WriteAllText(dir.File("manifest.csv"), c.Manifest);

        var (code, output, error) = NachosProcess.Run(dir.Path, "train", "spec.yaml");

        Assert.True(code == 2, $"exit {code}\n{output}\n{error}");
        Assert.Contains(c.Fault, error);
        Assert.Contains(target, error);
        AssertPlain(output + error);
        Assert.False(Directory.Exists(dir.File("runs")));
    }

    [Fact]
    public void Every_file_of_the_corpus_is_a_case()
    {
        var root = Path.Combine(AppContext.BaseDirectory, "BadInputs");
        var files = Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order();
        Assert.Equal(files, Cases.Where(c => c.Bytes is null).Select(c => c.Name).Order());
        Assert.All(files, f => Assert.Contains("canary", File.ReadAllText(Path.Combine(root, f))));
    }

    [Theory]
    [InlineData("2000")]
    [InlineData("1025")]
    [InlineData("0")]
    public void Run_refuses_devices_outside_the_range_of_execution_devices_before_loading_anything(string devices)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), "name: devices\ndataset:\n  synthetic: { out: d, patients: 8, size: 16 }\nimage: { size: 16 }\nsplit: { outer_folds: 2, inner_folds: 2 }\nexecution: { trainer: simulated }\n");
        var (code, output, error) = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--devices", devices);
        Assert.True(code == 2, $"exit {code}\n{output}\n{error}");
        Assert.Contains($"--devices {devices}: must be 1 to 1024 (the range of execution.devices)", error);
        AssertPlain(output + error);
        Assert.False(Directory.Exists(dir.File("d")));
        Assert.False(Directory.Exists(dir.File("runs")));
    }

    /// <summary>No stack trace, no exception type, no content of the file, no control characters.</summary>
    private static void AssertPlain(string text)
    {
        Assert.DoesNotMatch(StackFrame(), text);
        Assert.DoesNotMatch(ExceptionName(), text);
        Assert.DoesNotContain("Unhandled", text);
        Assert.DoesNotContain("canary", text);
        Assert.DoesNotMatch(ControlCharacter(), text);
    }

    [GeneratedRegex(@"(?m)^\s+at \S")]
    private static partial Regex StackFrame();

    [GeneratedRegex(@"\b\w+Exception\b")]
    private static partial Regex ExceptionName();

    [GeneratedRegex(@"[\x00-\x08\x0B\x0C\x0E-\x1A\x1C-\x1F]")]
    private static partial Regex ControlCharacter();
}
