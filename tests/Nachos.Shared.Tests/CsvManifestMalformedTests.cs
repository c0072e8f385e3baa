using Nachos.Shared.Data;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Tests;

/// <summary>
/// CSV that does not parse as a manifest: the error names file, line and field but never shows the content
/// (the path may name a file that is not a manifest at all, such as /proc/self/environ).
/// </summary>
public sealed class CsvManifestMalformedTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Canary = "canary-SECRET";

    private string Error(string csv)
    {
        var spec = new DatasetSpec(DatasetFormat.Csv, _dir.Write("m.csv", csv), "image", ["label"], ["neg", "pos"], "patient", null, null, null,
            BadImagePolicy.Error, ["train", "val", "test"], null);
        var e = Assert.Throws<DataException>(() => CsvManifestReader.Read(spec, TaskKind.Binary));
        Assert.DoesNotContain("canary", e.Message);
        Assert.DoesNotContain("\n", e.Message);
        return e.Message;
    }

    [Theory]
    // A quote that opens a field and never closes: the rest of the file becomes one field.
    [InlineData($"image,label,patient\na.png,neg,p1\n\"{Canary}.png,pos,p2\nc.png,neg,p3\n", 3, 1, "its quote is never closed")]
    [InlineData($"image,label,patient\na.png,neg,p1\nb.png,pos,\"{Canary}\n", 3, 3, "its quote is never closed")]
    // A quote inside an unquoted field, and text after a closing quote.
    [InlineData($"image,label,patient\na.png,neg,p1\nb.png,pos,p2\nc.png,n\"{Canary},p3\n", 4, 2, "malformed quoting")]
    [InlineData($"image,label,patient\n\"a.png\"{Canary},neg,p1\n", 2, 1, "malformed quoting")]
    // A quoted field spanning lines before the bad one: the line is where the bad field starts.
    [InlineData($"image,label,patient\n\"a\nb.png\",neg,p1\nc.png,pos,x\"{Canary}\n", 4, 3, "malformed quoting")]
    public void Bad_quoting_names_line_and_field(string csv, int line, int field, string fault)
    {
        var message = Error(csv);
        Assert.True(message.StartsWith($"{_dir.File("m.csv")}:{line}: field {field}: ", StringComparison.Ordinal), message);
        Assert.StartsWith($"{_dir.File("m.csv")}:{line}: field {field}: ", message);
        Assert.Contains(fault, message);
    }

    [Theory]
    [InlineData($"image,label,patient\na.png,neg,p1\n{Canary}.png,pos\n", 3, 2)]
    [InlineData($"image,label,patient\na.png,neg,p1\nb.png,pos,p2,{Canary}\n", 3, 4)]
    [InlineData($"image,label,patient\n{Canary}.png\n", 2, 1)]
    public void A_row_whose_field_count_is_not_the_headers_names_the_line(string csv, int line, int fields)
    {
        Assert.Equal($"{_dir.File("m.csv")}:{line}: {fields} field(s), but the header has 3", Error(csv));
    }

    [Fact]
    public void Quoted_fields_with_commas_and_doubled_quotes_still_read()
    {
        var spec = new DatasetSpec(DatasetFormat.Csv, _dir.Write("m.csv", "image,label\n\"a,1.png\",neg\n\"b\"\"2.png\",pos\n"), "image", ["label"], ["neg", "pos"],
            null, null, null, null, BadImagePolicy.Error, ["train", "val", "test"], null);
        Assert.Equal(["a,1.png", "b\"2.png"], CsvManifestReader.Read(spec, TaskKind.Binary).Samples.Select(s => s.Id));
    }
}
