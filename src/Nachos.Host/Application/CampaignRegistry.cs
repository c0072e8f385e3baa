using System.Data.Common;
using Nachos.Actors.Registry;
using Nachos.Host.Dashboard;
using Nachos.Shared.Registry;
using Nachos.Shared.Study;

namespace Nachos.Host.Application;

/// <summary>The registry cannot be read (the database is unreachable or damaged): the cluster's trouble, answered 503.</summary>
public sealed class RegistryUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// The campaign's model registry (docs/registry.md) read for the dashboard: the tables in the node's own journal database
/// (ROOT/journal.db or its PostgreSQL database), opened on first use; the registered bundles' archives under ROOT/registry/.
/// </summary>
public sealed class CampaignRegistry(string root, string? postgres)
{
    private readonly Lazy<RegistryStore> _store = new(() => postgres is null ? RegistryStore.Sqlite(RunLayout.JournalPath(root)) : RegistryStore.Postgres(postgres));

    private T Read<T>(Func<RegistryStore, T> read)
    {
        try
        {
            return read(_store.Value);
        }
        catch (DbException e)
        {
            throw new RegistryUnavailableException($"the model registry cannot be read ({e.GetType().Name}: {e.Message.Split('\n')[0]})", e);
        }
    }

    public IReadOnlyList<RegistryTaskSummary> Tasks() => Read(store => store.TaskNames().Select(task =>
    {
        var models = store.List(task);
        var champion = store.Champion(task) is { } id ? models.FirstOrDefault(m => m.Id == id) : null;
        return new RegistryTaskSummary(task, models.Count, champion, PromotionRule.DefaultMetric(models[0].Kind));
    }).ToList());

    /// <param name="sort">A recorded metric, or nachos:METRIC for the NACHOS estimate's mean; default AUROC (Dice for segmentation).</param>
    public Outcome<RegistryTaskView> Task(string task, string? sort) => Read<Outcome<RegistryTaskView>>(store =>
    {
        var models = RegistryNames.ValidTask(task) ? store.List(task) : [];
        if (models.Count == 0) return Refusal.NotFound($"no model registered under task '{task}'");
        var metrics = RegistryRanking.RecordedMetrics(models);
        sort = string.IsNullOrEmpty(sort) ? PromotionRule.DefaultMetric(models[0].Kind) : sort;
        if (!metrics.Contains(RegistryRanking.Metric(sort)))
            return Refusal.BadRequest($"sort '{sort}': not a recorded metric of '{task}' (recorded: {string.Join(", ", metrics)}; nachos:METRIC for the NACHOS estimate)");
        return new RegistryTaskView(task, sort, metrics, RegistryRanking.Ranked(models, sort), store.Champion(task), store.History(task));
    });

    /// <summary>Every registered model whose bundle came from the study, oldest first.</summary>
    public IReadOnlyList<RegisteredModel> FromStudy(string study) =>
        Read(store => store.TaskNames().SelectMany(store.List).Where(m => m.SourceStudy == study).OrderBy(m => m.Id).ToList());

    /// <summary>The archive of a task's model version, when it is registered and its copy lies under ROOT/registry/.</summary>
    public string? Bundle(string task, int version)
    {
        if (!RegistryNames.ValidTask(task)) return null;
        var model = Read(store => store.List(task)).FirstOrDefault(m => m.Version == version);
        if (model is null) return null;
        var folder = Path.GetFullPath(Path.Combine(root, "registry")) + "/";
        var file = Path.GetFullPath(model.Bundle);
        return file.StartsWith(folder, StringComparison.Ordinal) && File.Exists(file) ? file : null;
    }
}
