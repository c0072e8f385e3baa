using Nachos.Shared.Tasks;
using Nachos.Shared.TaskProcess;
using Nachos.Tests;

namespace Nachos.Shared.Tests;

/// <summary>progress.jsonl: appended by the child a line per epoch, tailed by the node.</summary>
public sealed class ProgressLogTests : IDisposable
{
    private readonly TempDir _dir = new();

    private static EpochProgress Epoch(int e) => new(e, 20, 0.5 / e, 0.6 / e, "val_auroc", 0.7 + e / 100.0, 1.25);

    [Fact]
    public void Lines_are_read_as_they_are_appended_and_a_torn_last_line_waits_for_its_end()
    {
        var file = _dir.File("progress.jsonl");
        var tail = new ProgressTail(file);
        Assert.Null(tail.Poll()); // no file yet: no progress, no error

        ProgressLog.Append(file, Epoch(1));
        Assert.Equal(Epoch(1), tail.Poll());
        ProgressLog.Append(file, Epoch(2));
        ProgressLog.Append(file, Epoch(3));
        Assert.Equal(Epoch(3), tail.Poll());

        // The child killed while writing epoch 4: half a line, no newline.
        var line4 = File.ReadAllLines(file)[0].Replace("\"epoch\":1", "\"epoch\":4");
        File.AppendAllText(file, line4[..(line4.Length / 2)]);
        Assert.Equal(Epoch(3), tail.Poll());
        Assert.Equal(Epoch(3), tail.Poll());
        // ... or only slow: the rest arrives and the line counts.
        File.AppendAllText(file, line4[(line4.Length / 2)..] + "\n");
        Assert.Equal(4, tail.Poll()!.Epoch);
    }

    [Fact]
    public void A_line_that_does_not_parse_is_skipped()
    {
        var file = _dir.File("progress.jsonl");
        ProgressLog.Append(file, Epoch(1));
        File.AppendAllText(file, "{\"epoch\": \n");
        var tail = new ProgressTail(file);
        Assert.Equal(Epoch(1), tail.Poll());
        ProgressLog.Append(file, Epoch(2));
        Assert.Equal(Epoch(2), tail.Poll());
    }

    [Fact]
    public void A_line_holds_the_fixed_names()
    {
        var file = _dir.File("progress.jsonl");
        ProgressLog.Append(file, new EpochProgress(3, 20, 0.5, 0.25, "val_loss", 0.25, 2));
        Assert.Equal("""{"epoch":3,"max_epochs":20,"train_loss":0.5,"validation_loss":0.25,"monitor":"val_loss","monitored":0.25,"seconds":2}""" + "\n",
            File.ReadAllText(file));
    }

    [Fact]
    public void A_file_started_over_by_a_new_attempt_is_read_from_its_start()
    {
        var file = _dir.File("progress.jsonl");
        var tail = new ProgressTail(file);
        foreach (var e in new[] { 1, 2, 3 }) ProgressLog.Append(file, Epoch(e));
        Assert.Equal(3, tail.Poll()!.Epoch);
        File.Delete(file);
        ProgressLog.Append(file, Epoch(1));
        Assert.Equal(1, tail.Poll()!.Epoch);
    }

    public void Dispose() => _dir.Dispose();
}
