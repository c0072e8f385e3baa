using System.Data.Common;
using Nachos.Actors.Registry;
using Nachos.Host.Contract;
using Nachos.Host.Dashboard;
using Nachos.Shared.Bundle;
using Nachos.Shared.Predictions;
using Nachos.Shared.Registry;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using ModelEvaluation = Nachos.Shared.Registry.ModelEvaluation;

namespace Nachos.Host.Application;

/// <summary>The registry cannot be read (the database is unreachable or damaged): the cluster's trouble, answered 503.</summary>
public sealed class RegistryUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// The campaign's model registry (docs/registry.md): the tables in the node's own journal database (ROOT/journal.db or its
/// PostgreSQL database), opened on first use; the registered bundles' archives under ROOT/registry/. The one place that
/// registers, lists, shows and promotes: <c>nachos model</c> calls it directly (with --root) and the control API calls it
/// on a coordinator (<c>/api/registry</c>); the dashboard reads it.
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
        if (models.Count == 0) return NoTask(task);
        var metrics = RegistryRanking.RecordedMetrics(models);
        sort = string.IsNullOrEmpty(sort) ? PromotionRule.DefaultMetric(models[0].Kind) : sort;
        if (!metrics.Contains(RegistryRanking.Metric(sort)))
            return Refusal.BadRequest($"sort '{sort}': not a recorded metric of '{task}' (recorded: {string.Join(", ", metrics)}; nachos:METRIC for the NACHOS estimate)");
        var sites = models.ToDictionary(m => m.Id, m => SiteMetrics.Of(store.Evaluation(m.Id)));
        return new RegistryTaskView(task, sort, metrics, RegistryRanking.Ranked(models, sort), store.Champion(task), store.History(task), sites);
    });

    /// <summary>A task's registered models (in registration order) and its champion.</summary>
    public Outcome<RegistryModels> Models(string task) => Read<Outcome<RegistryModels>>(store =>
        (RegistryNames.ValidTask(task) ? store.List(task) : []) is { Count: > 0 } models ? new RegistryModels(task, store.Champion(task), models) : NoTask(task));

    /// <summary>One registered model and its task's champion.</summary>
    public Outcome<RegistryModel> Model(long id) => Read<Outcome<RegistryModel>>(store =>
        store.Get(id) is { } model ? new RegistryModel(model, store.Champion(model.Task)) : NoModel(id));

    /// <summary>A task's promotion attempts, oldest first.</summary>
    public Outcome<RegistryHistory> History(string task) => Read<Outcome<RegistryHistory>>(store =>
        RegistryNames.ValidTask(task) && store.List(task).Count > 0 ? new RegistryHistory(task, store.History(task)) : NoTask(task));

    /// <summary>
    /// Promotes a model if the rule lets it (docs/registry.md, "The promotion rule"); the attempt is recorded either way and
    /// answered with its record (its outcome says whether it was promoted).
    /// </summary>
    public Outcome<PromotionRecord> Promote(long id, double alpha, string? metric, string by)
    {
        if (!PromotionRule.ValidAlpha(alpha)) return Refusal.BadRequest($"alpha {alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)}: expected a number in (0, 0.5)");
        return Read<Outcome<PromotionRecord>>(store =>
        {
            try
            {
                return store.Promote(id, by, DateTimeOffset.UtcNow, (champion, challenger, same) => PromotionRule.Decide(champion, challenger, same, metric, alpha)) is { } record
                    ? record : NoModel(id);
            }
            catch (RegistryException e)
            {
                return Refusal.BadRequest(e.Message);
            }
        });
    }

    /// <summary>
    /// Registers the bundle at <paramref name="bundlePath"/> (a folder or an archive) under <paramref name="task"/> with its
    /// predictions on an evaluation set (<paramref name="evalFile"/>, named <paramref name="setName"/>): a copy of its
    /// archive goes to ROOT/registry/TASK/vN.zip, read back and checked before the registration is committed.
    /// </summary>
    public Outcome<RegisteredModel> Register(string bundlePath, string task, string evalFile, string setName, string by)
    {
        if (!RegistryNames.ValidTask(task))
            return Refusal.BadRequest($"task {task}: expected lower-case letters, digits, '.', '_' or '-' (at most 100, starting with a letter or digit)");
        if (setName.Length == 0) return Refusal.BadRequest("evaluation set name: empty");
        LoadedBundle bundle;
        try { bundle = BundleFiles.Read(bundlePath); }
        catch (BundleException e) { return Refusal.BadRequest(e.Message); }
        var m = bundle.Manifest;
        var kind = SpecNames.Tasks[m.Task];
        PredictionsTable table;
        ModelEvaluation evaluation;
        try
        {
            table = PredictionsFile.Read(evalFile, kind);
            evaluation = ModelEvaluation.Of(evalFile, setName, kind, m.Classes, table, m.Decision.Threshold);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return Refusal.BadRequest($"{evalFile}: no such file"); }
        catch (Exception e) when (e is InvalidDataException or RegistryException) { return Refusal.BadRequest(e.Message); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return Refusal.BadRequest($"{evalFile}: cannot read ({e.GetType().Name})"); }

        var folder = Path.Combine(root, "registry", task);
        Directory.CreateDirectory(folder);
        // The copy is made first under a temporary name, then renamed to its version inside the registering transaction.
        var staged = Path.Combine(folder, $".staged-{Guid.NewGuid():N}.zip");
        if (Directory.Exists(bundle.Location)) BundleFiles.WriteArchive(bundle.Location, staged);
        else File.Copy(bundle.Location, staged);
        string? placed = null;
        try
        {
            BundleFiles.Read(staged);
            return Read(store => store.Register(new RegistryStore.NewModel(task, m.WeightsIdentity, kind, m.Classes, m.Source.Study, m.Source.TaskId,
                m.Source.OuterFold, m.Created, DateTimeOffset.UtcNow, by, evaluation, m.ExpectedPerformance), version =>
            {
                placed = Path.Combine(folder, RegistryLinks.BundleFile(version));
                File.Move(staged, placed, overwrite: true);
                return placed;
            }));
        }
        catch (Exception e) when (e is RegistryException or BundleException)
        {
            Clean(staged, placed, task);
            return Refusal.BadRequest(e.Message);
        }
        catch
        {
            Clean(staged, placed, task);
            throw;
        }
    }

    private void Clean(string staged, string? placed, string task)
    {
        if (File.Exists(staged)) File.Delete(staged);
        if (placed is not null && File.Exists(placed) && Read(store => store.List(task)).All(x => x.Bundle != placed)) File.Delete(placed);
    }

    private static Refusal NoTask(string task) => Refusal.NotFound($"no model registered under task '{task}'");

    private static Refusal NoModel(long id) => Refusal.NotFound($"no registered model {id}");

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
