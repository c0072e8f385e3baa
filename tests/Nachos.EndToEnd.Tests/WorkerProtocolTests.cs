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
}
