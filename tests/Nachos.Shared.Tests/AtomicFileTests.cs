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
    public void Of_many_makers_at_once_exactly_one_writes_a_once_file_whole_and_private()
    {
        using var dir = new TempDir();
        var path = dir.File("api-token");
        for (var round = 0; round < 20; round++)
        {
            File.Delete(path);
            // Threads of their own, not the pool's: all sixteen are let go at once.
            using var start = new Barrier(16);
            var made = new int[16];
            var threads = Enumerable.Range(0, 16).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                made[i] = AtomicFile.CreateOnce(path, () => System.Text.Encoding.ASCII.GetBytes($"maker {i}\n")) ? 1 : 0;
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            var writer = Array.IndexOf(made, 1);
            Assert.Equal(1, made.Sum());
            Assert.Equal($"maker {writer}\n", File.ReadAllText(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(["api-token"], Directory.GetFiles(dir.Path).Select(Path.GetFileName)); // no lock, no temporary
        }
        Assert.False(AtomicFile.CreateOnce(path, () => throw new InvalidOperationException("never made again")));
    }

    [Fact]
    public async Task A_maker_waits_for_the_one_holding_the_lock_and_names_a_lock_left_by_a_dead_one()
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

        // A lock nobody removes: not taken over (on a shared file system it may be another host's live one), but named.
        File.Delete(path);
        File.WriteAllText(path + ".lock", "");
        var e = Assert.Throws<IOException>(() => AtomicFile.CreateOnce(path, () => "made"u8.ToArray(), TimeSpan.FromSeconds(0.5)));
        Assert.Contains($"{path}.lock is still there", e.Message);
        Assert.Contains("delete it and start again", e.Message);
        Assert.False(File.Exists(path));
    }
}
