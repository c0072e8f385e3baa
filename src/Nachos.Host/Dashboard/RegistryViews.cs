using Nachos.Shared.Registry;

namespace Nachos.Host.Dashboard;

/// <summary>One task name of the registry as the models page lists it.</summary>
public sealed record RegistryTaskSummary(string Task, int Models, RegisteredModel? Champion, string Metric);

/// <summary>A task's models ranked by <see cref="Sort"/>, the metrics they recorded, the champion's id and the promotion history.</summary>
/// <param name="Sites">Per model id, its metrics per site of its evaluation set (<see cref="SiteMetrics"/>); empty without sites.</param>
public sealed record RegistryTaskView(string Task, string Sort, IReadOnlyList<string> Metrics, IReadOnlyList<RegisteredModel> Ranked, long? Champion,
    IReadOnlyList<PromotionRecord> History, IReadOnlyDictionary<long, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double?>>>? Sites = null)
{
    /// <summary>Every site some model was evaluated on, in ordinal order.</summary>
    public IReadOnlyList<string> SiteNames => (Sites ?? new Dictionary<long, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double?>>>())
        .Values.SelectMany(s => s.Keys).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>A model's value of <paramref name="metric"/> on one site's images; null when it has none there.</summary>
    public double? SiteValue(long model, string site, string metric) =>
        Sites?.GetValueOrDefault(model)?.GetValueOrDefault(site)?.GetValueOrDefault(metric);
}
