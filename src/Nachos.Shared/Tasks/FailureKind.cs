using System.Text.Json.Serialization;
using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;

namespace Nachos.Shared.Tasks;

/// <summary>
/// Why a task attempt failed (serialised by its snake_case name). Transient kinds may pass on another try and
/// are retried up to max_retries; deterministic ones fail the same way from the same checkpoint and end the task
/// at once (docs/operations.md).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<FailureKind>))]
public enum FailureKind
{
    /// <summary>The loss or the model's outputs became NaN or infinite. Deterministic.</summary>
    [JsonStringEnumMemberName("diverged")] Diverged,
    /// <summary>The data cannot be read or used (a missing or corrupt image, a bad manifest). Deterministic.</summary>
    [JsonStringEnumMemberName("data_error")] DataError,
    /// <summary>The study spec cannot run as written. Deterministic.</summary>
    [JsonStringEnumMemberName("spec_error")] SpecError,
    /// <summary>No result within execution.task_timeout_seconds (a stalled device, a deadlock). Transient.</summary>
    [JsonStringEnumMemberName("timeout")] Timeout,
    /// <summary>The task process crashed or was killed (a signal, a native fault, an unexpected exception). Transient.</summary>
    [JsonStringEnumMemberName("crashed")] Crashed,
    /// <summary>Host or device memory ran out (another task may have held it). Transient.</summary>
    [JsonStringEnumMemberName("out_of_memory")] OutOfMemory,
    /// <summary>Stopped by its node (Ctrl-C, SIGTERM, a drain): requeued without counting an attempt.</summary>
    [JsonStringEnumMemberName("interrupted")] Interrupted,
}

public static class FailureKinds
{
    /// <summary>The name shown by the CLI, the API, the dashboard and the report (as serialised).</summary>
    public static string Name(this FailureKind kind) => kind switch
    {
        FailureKind.Diverged => "diverged",
        FailureKind.DataError => "data_error",
        FailureKind.SpecError => "spec_error",
        FailureKind.Timeout => "timeout",
        FailureKind.Crashed => "crashed",
        FailureKind.OutOfMemory => "out_of_memory",
        FailureKind.Interrupted => "interrupted",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Whether another attempt may succeed. An unknown kind (an event written before kinds existed) counts as transient, as it did then.</summary>
    public static bool IsTransient(this FailureKind? kind) => kind is null or FailureKind.Timeout or FailureKind.Crashed or FailureKind.OutOfMemory or FailureKind.Interrupted;

    /// <summary>The kind of a failure thrown by an executor or a trainer.</summary>
    public static FailureKind Of(Exception e) => e switch
    {
        TaskFailedException f => f.Kind,
        DataException or SplitException => FailureKind.DataError,
        SpecException => FailureKind.SpecError,
        TimeoutException => FailureKind.Timeout,
        OperationCanceledException => FailureKind.Interrupted,
        OutOfMemoryException => FailureKind.OutOfMemory,
        // libtorch reports CUDA and CPU allocation failures as exceptions with this text.
        _ when e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase) => FailureKind.OutOfMemory,
        _ => FailureKind.Crashed,
    };

    /// <summary>"kind: message", or the message alone when the kind is unknown (older events).</summary>
    public static string Describe(FailureKind? kind, string? error) => kind is { } k ? $"{k.Name()}: {error}" : error ?? "";
}

/// <summary>What a <c>nachos task</c> process writes (failure.json in its task folder) when its attempt fails for a known reason.</summary>
public sealed record TaskFailure(FailureKind Kind, string Message);

/// <summary>A task attempt failed for a known reason.</summary>
public class TaskFailedException(FailureKind kind, string message) : Exception(message)
{
    public FailureKind Kind { get; } = kind;
}
