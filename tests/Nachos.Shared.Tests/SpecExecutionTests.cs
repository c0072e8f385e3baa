using Nachos.Shared.Spec;
using Nachos.Shared.SpecLoading;

namespace Nachos.Shared.Tests;

public sealed class SpecExecutionTests
{
    private static StudySpec Parse(string execution) => SpecLoader.Parse(
        "dataset: { synthetic: { out: d } }\nexecution: " + execution + "\n", Path.Combine(Path.GetTempPath(), "spec.yaml"));

    [Fact]
    public void Defaults_follow_the_trainer()
    {
        var torch = Parse("{ trainer: torch }").Execution;
        Assert.Equal((ExecutorKind.Subprocess, 1, 2), (torch.Executor, torch.Devices, torch.MaxRetries));
        var simulated = Parse("{ trainer: simulated, simulated: { seconds_per_epoch: 0.5, failure_rate: 0.1 } }").Execution;
        Assert.Equal(ExecutorKind.InProcess, simulated.Executor);
        Assert.Equal(new SimulatedSpec(0.5, 0.1), simulated.Simulated);
        Assert.Equal(ExecutorKind.Worker, Parse("{ trainer: torch, executor: worker }").Execution.Executor);
    }

    [Theory]
    [InlineData("{ trainer: torch, executor: in-process }", "execution.executor", "subprocesses")]
    [InlineData("{ trainer: simulated, executor: subprocess }", "execution.executor", "in-process")]
    [InlineData("{ trainer: simulated, executor: worker }", "execution.executor", "in-process")]
    [InlineData("{ trainer: torch, simulated: { seconds_per_epoch: 1 } }", "execution.simulated", "simulated only")]
    [InlineData("{ trainer: simulated, simulated: { failure_rate: 1 } }", "execution.simulated.failure_rate", "< 1")]
    [InlineData("{ devices: 0 }", "execution.devices", "between 1 and 1024")]
    public void Impossible_execution_settings_are_spec_errors(string execution, string path, string message)
    {
        var e = Assert.Throws<SpecException>(() => Parse(execution));
        var error = Assert.Single(e.Errors);
        Assert.Equal(path, error.Path);
        Assert.Equal(2, error.Line);
        Assert.Contains(message, error.Message);
    }
}
