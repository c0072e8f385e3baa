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

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")] // file modes
    public async Task Of_many_makers_at_once_exactly_one_writes_a_once_file_whole_and_private()
    {
        using var dir = new TempDir();
        var path = dir.File("api-token");
        using var start = new Barrier(16);
        var made = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
        {
            start.SignalAndWait();
            return AtomicFile.CreateOnce(path, () => System.Text.Encoding.ASCII.GetBytes($"maker {i}\n")) ? i : -1;
        })));
        var writer = Assert.Single(made, i => i >= 0);
        Assert.Equal($"maker {writer}\n", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["api-token"], Directory.GetFiles(dir.Path).Select(Path.GetFileName)); // no lock, no temporary
        Assert.False(AtomicFile.CreateOnce(path, () => throw new InvalidOperationException("never made again")));
    }

    [Fact]
    public async Task A_maker_waits_for_the_one_holding_the_lock_and_takes_over_a_lock_left_by_a_dead_one()
    {
        using var dir = new TempDir();
        var path = dir.File("campaign.p12");
        File.WriteAllText(path + ".lock", "");
        var waiting = Task.Run(() => AtomicFile.CreateOnce(path, () => "second"u8.ToArray()));
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted, "a maker went on while another held the lock");
        File.WriteAllText(path, "first");
        File.Delete(path + ".lock");
        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("first", File.ReadAllText(path));

        File.Delete(path);
        File.WriteAllText(path + ".lock", "");
        File.SetLastWriteTimeUtc(path + ".lock", DateTime.UtcNow.AddMinutes(-2));
        Assert.True(await Task.Run(() => AtomicFile.CreateOnce(path, () => "made"u8.ToArray())).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("made", File.ReadAllText(path));
        Assert.Equal(["campaign.p12"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }
}
