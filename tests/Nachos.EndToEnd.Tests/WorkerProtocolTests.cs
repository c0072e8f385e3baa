using Nachos.Host.Running;
using Nachos.Tests;

namespace Nachos.EndToEnd.Tests;

/// <summary>What a node and its <c>nachos worker</c> say to each other, and a worker given what it cannot run.</summary>
public sealed class WorkerProtocolTests
{
    [Fact]
    public void A_request_and_an_answer_are_one_line_each_and_read_back()
    {
        Assert.Equal(("/r/o0/t1/s0/task.json", "/r"), WorkerProtocol.ParseRequest(WorkerProtocol.Request("/r/o0/t1/s0/task.json", "/r")));
        Assert.Equal(143, WorkerProtocol.ParseDone(WorkerProtocol.Done(143)));
        Assert.Equal(-1, WorkerProtocol.ParseDone(WorkerProtocol.Done(-1)));
        Assert.Throws<ArgumentException>(() => WorkerProtocol.Request("/r/a\tb/task.json", "/r"));
        Assert.Throws<ArgumentException>(() => WorkerProtocol.Request("/r/task.json", "/r\n/s"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/r/task.json")]
    [InlineData("/r/task.json\t")]
    [InlineData("\t/r")]
    [InlineData("/r/task.json\t/r\textra")]
    public void A_line_that_is_not_a_request_is_not_read_as_one(string line) => Assert.Null(WorkerProtocol.ParseRequest(line));

    [Theory]
    [InlineData("epoch 3 done 0")]
    [InlineData("nachos-worker: done ")]
    [InlineData("nachos-worker: done zero")]
    [InlineData("nachos-worker: done 99999999999")]
    [InlineData("NACHOS-WORKER: done 0")]
    public void Output_that_is_not_an_answer_is_not_read_as_one(string line) => Assert.Null(WorkerProtocol.ParseDone(line));

    [Fact]
    public void A_worker_answers_a_request_it_cannot_run_with_exit_code_2_and_refuses_a_line_that_is_no_request()
    {
        using var dir = new TempDir();
        var missing = dir.File("o0/t0/s0/task.json");
        var (code, output, error) = NachosProcess.RunWithInput(dir.Path, WorkerProtocol.Request(missing, dir.Path) + "\n", "worker");
        Assert.True(code == 0, $"exit {code}\n{output}\n{error}"); // its input ended: done
        Assert.Equal(WorkerProtocol.Done(2), Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Contains(missing, error);

        (code, output, error) = NachosProcess.RunWithInput(dir.Path, "SECRET garbage\n", "worker");
        Assert.Equal(2, code);
        Assert.Contains("not a task request", error);
        Assert.DoesNotContain("SECRET", error);
        Assert.DoesNotContain("   at ", error);
        Assert.Equal("", output.Trim());
    }

    [Fact]
    public void A_worker_brackets_each_task_s_error_lines_so_none_is_read_as_the_next_task_s()
    {
        using var dir = new TempDir();
        var (first, second) = (dir.File("o0/t0/s0/task.json"), dir.File("o0/t1/s0/task.json"));
        var (code, output, error) = NachosProcess.RunWithInput(dir.Path,
            WorkerProtocol.Request(first, dir.Path) + "\n" + WorkerProtocol.Request(second, dir.Path) + "\n", "worker");
        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        Assert.Equal([WorkerProtocol.Done(2), WorkerProtocol.Done(2)], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
        var (begins, ends) = (Indexes(lines, WorkerProtocol.Begin), Indexes(lines, WorkerProtocol.End));
        Assert.Equal(2, begins.Count);
        Assert.Equal(2, ends.Count);
        Assert.True(begins[0] < ends[0] && ends[0] < begins[1] && begins[1] < ends[1], error);
        Assert.Contains(lines[(begins[0] + 1)..ends[0]], l => l.Contains(first));
        Assert.Contains(lines[(begins[1] + 1)..ends[1]], l => l.Contains(second));
        Assert.DoesNotContain(lines[(begins[1] + 1)..ends[1]], l => l.Contains(first));

        // Read by a node: a line of the first task that arrives late (after the answer, before the next begin) is dropped.
        var tail = new StandardErrorTail();
        tail.ExpectEnd();
        foreach (var line in lines.Take(ends[0] + 1)) tail.Add(line);
        Assert.True(tail.WaitForEnd(TimeSpan.Zero));
        Assert.Contains(first, tail.Last(3));
        tail.ExpectEnd();
        Assert.False(tail.WaitForEnd(TimeSpan.Zero));
        tail.Add("a late line of the first task");
        foreach (var line in lines.Skip(ends[0] + 1)) tail.Add(line);
        Assert.True(tail.WaitForEnd(TimeSpan.Zero));
        Assert.Contains(second, tail.Last(3));
        Assert.DoesNotContain("late line", tail.Last(16));
        Assert.DoesNotContain(first, tail.Last(16));
        Assert.DoesNotContain("nachos-worker:", tail.Last(16));
    }

    private static List<int> Indexes(List<string> lines, string line) =>
        lines.Select((l, i) => (l, i)).Where(x => x.l == line).Select(x => x.i).ToList();
}
