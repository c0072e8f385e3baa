using System.Text.Json;
using Nachos.Shared.Tasks;

namespace Nachos.Host.Contract;

// The control API's JSON documents (camelCase on the wire), shared by the server and the CLI client. docs/api.md.

/// <summary>Study states, as the API and the CLI show them.</summary>
public static class StudyStates
{
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Complete = "complete";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    /// <summary>States a study never leaves.</summary>
    public static bool IsFinal(string state) => state is Complete or Failed or Cancelled;
}

public sealed record HealthInfo(string Status, string Node, IReadOnlyList<string> Roles);

/// <summary>Tasks ended (succeeded or failed) of the planned total (trials × inner splits + one refit, per outer fold).</summary>
/// <remarks>The fields after <paramref name="Failed"/> are in a study's detail only (the study list leaves them out).</remarks>
/// <param name="MeanTaskSeconds">The mean measured time of the succeeded tasks, over <paramref name="MeasuredTasks"/>; null before the first.</param>
/// <param name="Started">When the study was stored (submitted or first run): elapsed time counts from here.</param>
/// <param name="Devices">The cluster's device slots that take work (not drained), the time estimate's divisor.</param>
/// <param name="Retried">Tasks that needed more than one attempt.</param>
/// <param name="FailedByKind">Failed tasks by failure kind.</param>
public sealed record ProgressInfo(int TasksEnded, int TasksTotal, int Running, int Failed,
    double? MeanTaskSeconds = null, int MeasuredTasks = 0, DateTimeOffset? Started = null, int? Devices = null, int Retried = 0,
    IReadOnlyDictionary<string, int>? FailedByKind = null)
{
    public double Fraction => TasksTotal == 0 ? 0 : Math.Min(1, TasksEnded / (double)TasksTotal);
}

public sealed record StudySummary(string Id, string State, ProgressInfo Progress);

/// <param name="BestScore">The best score of the fold's trials trained in full so far (mean inner validation value of the search metric); null before the first.</param>
public sealed record FoldInfo(int Outer, int TasksEnded, int TasksTotal, int Succeeded, int Failed, int Running, int Pending, int TrialsFinished, int Trials, bool RefitDone,
    double? BestScore = null);

/// <param name="Report">report.json as stored (snake_case), once the study has finished.</param>
public sealed record StudyDetail(string Id, string State, ProgressInfo Progress, IReadOnlyList<FoldInfo> Folds, string Metric, JsonElement? Report);

/// <param name="Spec">The spec's YAML text.</param>
/// <param name="Name">Study id to use instead of the spec's <c>name</c>.</param>
/// <param name="Directory">Absolute folder the spec's relative paths resolve against (default: the campaign root).</param>
public sealed record SubmitRequest(string? Spec, string? Name, string? Directory);

/// <param name="Created">False when the same study was already submitted (nothing changed).</param>
public sealed record SubmitResponse(string Id, bool Created, string State, IReadOnlyList<string> Warnings);

public sealed record ControlResponse(string Id, string State);

/// <param name="Rank">Within its outer fold by the list's sort (1 = best, ties share one); null without a value.</param>
public sealed record TrialInfo(
    int Outer,
    int Trial,
    IReadOnlyDictionary<string, string>? Config,
    string State,
    int SplitsEnded,
    int Splits,
    double? Score,
    double? StandardError,
    double? MeanBestEpoch,
    IReadOnlyDictionary<string, double?> Metrics,
    bool Chosen,
    string? Failure,
    FailureKind? FailureKind = null,
    int? Rank = null);

/// <param name="Metric">The search metric the score is the mean of.</param>
public sealed record TrialList(string Id, string Metric, string Sort, IReadOnlyList<TrialInfo> Trials);

/// <param name="Trial">For the outer fold's refit: the chosen trial.</param>
/// <param name="Inner">The inner split; null for the refit.</param>
/// <param name="BestEpoch">Once succeeded: the epoch early stopping kept.</param>
/// <param name="Kind">Why a failed task failed (diverged, data_error, …); null when that was not recorded (older journals).</param>
/// <param name="Epoch">Of a running task: its latest finished epoch (from 1) as its device last reported it; null before the first.</param>
/// <param name="MaxEpochs">With <paramref name="Epoch"/>: the task's epoch budget.</param>
public sealed record TaskInfo(string TaskId, int Outer, int? Trial, int? Inner, string State, int Attempts, int? BestEpoch, string? Error, FailureKind? Kind = null,
    int? Epoch = null, int? MaxEpochs = null);

public sealed record TaskList(string Id, IReadOnlyList<TaskInfo> Tasks);

public sealed record DeviceInfo(string Name, string State, string? Task, double BusyRatio);

public sealed record NodeInfo(string Address, string Status, IReadOnlyList<string> Roles, bool Reachable, IReadOnlyList<DeviceInfo> Devices);

/// <param name="Self">The node that answered.</param>
public sealed record NodeList(string Self, string? Leader, IReadOnlyList<NodeInfo> Nodes);

/// <param name="Address">A member's address: <c>akka.ssl.tcp://nachos@host:port</c> or <c>host:port</c>.</param>
public sealed record AddressRequest(string? Address);

public sealed record ClusterActionResponse(string Address, string Action, IReadOnlyList<string> Devices);

/// <summary>GET /api/registry/{task}/models: a task's registered models in registration order, and its champion's id.</summary>
public sealed record RegistryModels(string Task, long? Champion, IReadOnlyList<Nachos.Shared.Registry.RegisteredModel> Models);

/// <summary>GET /api/registry/models/{id}: one registered model, and its task's champion's id.</summary>
public sealed record RegistryModel(Nachos.Shared.Registry.RegisteredModel Model, long? Champion);

/// <summary>GET /api/registry/{task}/history: the task's promotion attempts, oldest first.</summary>
public sealed record RegistryHistory(string Task, IReadOnlyList<Nachos.Shared.Registry.PromotionRecord> Promotions);

/// <summary>POST /api/registry/models/{id}/promote: the test's level (default 0.05) and metric (default AUROC, Dice for segmentation), and who asks.</summary>
public sealed record PromoteRequest(double? Alpha, string? Metric, string? By);

/// <summary>
/// POST /api/registry/{task}/models: a bundle's archive (base64 of the zip <c>nachos bundle --archive</c> writes), its
/// predictions on the evaluation set (the CSV text), the file's name (the set's default name) and the set's name.
/// </summary>
public sealed record RegisterRequest(string? Bundle, string? Predictions, string? EvalFile, string? EvalSet, string? By);

public sealed record FileEntry(string Name, string Type, long? Size);

/// <summary>Web defaults (camelCase, case-insensitive reading), for the client to read what the server writes.</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString | System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
