using Nachos.Shared.Files;
using Nachos.Tests;

namespace Nachos.Shared.Tests;

public sealed class AtomicFileTests
{
    [Fact]
    public void A_file_is_replaced_whole_and_a_failed_write_leaves_the_old_one_and_no_temporary()
    {
        using var dir = new TempDir();
        var path = dir.File("report.json");
        AtomicFile.WriteAllText(path, "first");
        AtomicFile.WriteAllText(path, "second");
        Assert.Equal("second", File.ReadAllText(path));

        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, temporary =>
        {
            File.WriteAllText(temporary, "half of the th");
            throw new IOException("No space left on device");
        }));
        Assert.Equal("No space left on device", e.Message);
        Assert.Equal("second", File.ReadAllText(path));
        Assert.Equal(["report.json"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }
}
