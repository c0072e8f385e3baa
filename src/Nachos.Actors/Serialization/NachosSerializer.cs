using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Nachos.Actors.Messages;
using Nachos.Shared.Study;

namespace Nachos.Actors.Serialization;

/// <summary>
/// JSON for every persisted event, snapshot and remote message, under a stable string manifest per type.
/// The manifest, not the C# type name, is what the journal stores: rename a type freely, but never
/// reuse or change a manifest (docs/events.md).
/// </summary>
public sealed class NachosSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public static readonly IReadOnlyDictionary<string, Type> Manifests = new Dictionary<string, Type>
    {
        // Study entity
        ["study-started.v1"] = typeof(StudyStarted),
        ["fold-reported.v1"] = typeof(FoldReported),
        ["study-finished.v1"] = typeof(StudyFinished),
        ["report-attempt-failed.v1"] = typeof(ReportAttemptFailed),
        // Outer fold entity
        ["fold-started.v1"] = typeof(FoldStarted),
        ["trial-started.v1"] = typeof(TrialStarted),
        ["trial-finished.v1"] = typeof(TrialFinished),
        ["refit-started.v1"] = typeof(RefitStarted),
        ["refit-finished.v1"] = typeof(RefitFinished),
        ["stress-finished.v1"] = typeof(StressFinished),
        ["fold-failed.v1"] = typeof(FoldFailed),
        ["trial-rung-reached.v1"] = typeof(TrialRungReached),
        ["trial-promoted.v1"] = typeof(TrialPromoted),
        // Trial entity
        ["trial-requested.v1"] = typeof(TrialRequested),
        ["split-finished.v1"] = typeof(SplitFinished),
        // Work queue
        ["task-queued.v1"] = typeof(TaskQueued),
        ["task-attempt-failed.v1"] = typeof(TaskAttemptRecorded),
        ["task-completed.v1"] = typeof(TaskCompleted),
        ["queue-snapshot.v1"] = typeof(QueueSnapshot),
        ["study-paused.v1"] = typeof(StudyPaused),
        ["study-resumed.v1"] = typeof(StudyResumed),
        ["study-cancelled.v1"] = typeof(StudyCancelled),
        ["study-closed.v1"] = typeof(StudyClosed),
        // Messages
        ["shard-envelope.v1"] = typeof(ShardEnvelope),
        ["start-study.v2"] = typeof(StartStudy), // v1 had no brief (messages are not journalled: no v1 type kept)
        ["start-fold.v2"] = typeof(StartFold), // v1 was (StudyId, Outer)
        ["start-trial.v1"] = typeof(StartTrial),
        ["trial-report.v1"] = typeof(TrialReport),
        ["fold-report.v1"] = typeof(FoldReport),
        ["submit-task.v1"] = typeof(SubmitTask),
        ["request-work.v1"] = typeof(RequestWork),
        ["work-assigned.v1"] = typeof(WorkAssigned),
        ["task-succeeded.v1"] = typeof(TaskSucceeded),
        ["task-attempt-failed-msg.v1"] = typeof(TaskAttemptFailed),
        ["task-finished.v1"] = typeof(TaskFinished),
        ["task-interrupted.v1"] = typeof(TaskInterrupted),
        ["close-study.v1"] = typeof(CloseStudy),
        ["task-study-closed.v1"] = typeof(TaskStudyClosed),
        ["lease-heartbeat.v1"] = typeof(LeaseHeartbeat),
        ["lease-revoked.v1"] = typeof(LeaseRevoked),
        ["drain-device.v1"] = typeof(DrainDevice),
        ["device-drained.v1"] = typeof(DeviceDrained),
        ["device-ran-task.v1"] = typeof(DeviceRanTask),
        ["get-queue-status.v1"] = typeof(GetQueueStatus),
        ["queue-status.v1"] = typeof(QueueStatus),
        ["study-progress.v1"] = typeof(StudyProgress),
        ["study-completed.v1"] = typeof(StudyCompleted),
        ["control-study.v1"] = typeof(ControlStudy),
        ["study-controlled.v1"] = typeof(StudyControlled),
        ["get-study-tasks.v1"] = typeof(GetStudyTasks),
        ["study-tasks.v1"] = typeof(StudyTasks),
        ["get-queue-overview.v1"] = typeof(GetQueueOverview),
        ["queue-overview.v1"] = typeof(QueueOverview),
        ["drain-node.v1"] = typeof(DrainNode),
        ["node-draining.v1"] = typeof(NodeDraining),
    };

    private static readonly Dictionary<Type, string> ByType = Manifests.ToDictionary(kv => kv.Value, kv => kv.Key);

    /// <summary>
    /// This serializer and a binding for every type in <see cref="Manifests"/>, as HOCON made from the types
    /// themselves: moving a type to another namespace or assembly cannot leave it bound to Akka's default serializer.
    /// </summary>
    public static string Hocon
    {
        get
        {
            static string Name(Type t) => $"\"{t.FullName}, {t.Assembly.GetName().Name}\"";
            var bindings = string.Join("\n", Manifests.Values.Select(t => $"      {Name(t)} = nachos"));
            return $$"""
                akka.actor {
                  serializers { nachos = {{Name(typeof(NachosSerializer))}} }
                  serialization-bindings {
                {{bindings}}
                  }
                }
                """;
        }
    }

    public static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new EnvelopePayloadConverter() },
    };

    /// <summary>
    /// Builds the JSON metadata of every type in <see cref="Manifests"/> and of every type they hold, and returns those
    /// types. A node does this while it waits to join and for its shard regions: otherwise a study's first events pay
    /// for it (reflection and first-use compilation: ~0.04 s of a study's start on this machine, bench/README.md).
    /// </summary>
    public static IReadOnlyCollection<Type> Prepare()
    {
        Json.MakeReadOnly(populateMissingResolver: true);
        var prepared = new HashSet<Type>();
        var next = new Stack<Type>(Manifests.Values);
        while (next.TryPop(out var type))
        {
            if (!prepared.Add(type)) continue;
            var info = Json.GetTypeInfo(type);
            foreach (var property in info.Properties) next.Push(property.PropertyType);
            if (info.ElementType is { } element) next.Push(element);
            if (info.KeyType is { } key) next.Push(key);
        }
        return prepared;
    }

    public override int Identifier => 4711;

    public override string Manifest(object o) =>
        ByType.TryGetValue(o.GetType(), out var m) ? m : throw new ArgumentException($"no serializer manifest for {o.GetType()}; add one to NachosSerializer.Manifests");

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);

    public override object FromBinary(byte[] bytes, string manifest) =>
        Manifests.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, Json)!
            : throw new System.Runtime.Serialization.SerializationException($"unknown manifest '{manifest}'");

    /// <summary>A ShardEnvelope's payload is written with its manifest, so it round-trips as its own type.</summary>
    private sealed class EnvelopePayloadConverter : JsonConverter<ShardEnvelope>
    {
        public override ShardEnvelope Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            var manifest = root.GetProperty("manifest").GetString()!;
            var payload = root.GetProperty("message").Deserialize(Manifests[manifest], options)!;
            return new ShardEnvelope(root.GetProperty("entityId").GetString()!, payload);
        }

        public override void Write(Utf8JsonWriter writer, ShardEnvelope value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("entityId", value.EntityId);
            writer.WriteString("manifest", ByType[value.Message.GetType()]);
            writer.WritePropertyName("message");
            JsonSerializer.Serialize(writer, value.Message, value.Message.GetType(), options);
            writer.WriteEndObject();
        }
    }
}
