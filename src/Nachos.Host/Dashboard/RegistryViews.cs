using Nachos.Shared.Registry;

namespace Nachos.Host.Dashboard;

/// <summary>One task name of the registry as the models page lists it.</summary>
public sealed record RegistryTaskSummary(string Task, int Models, RegisteredModel? Champion, string Metric);

/// <summary>A task's models ranked by <see cref="Sort"/>, the metrics they recorded, the champion's id and the promotion history.</summary>
public sealed record RegistryTaskView(string Task, string Sort, IReadOnlyList<string> Metrics, IReadOnlyList<RegisteredModel> Ranked, long? Champion,
    IReadOnlyList<PromotionRecord> History);
