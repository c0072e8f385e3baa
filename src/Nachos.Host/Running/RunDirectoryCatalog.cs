using System.Collections.Concurrent;
using Nachos.Actors.Entities;
using Nachos.Actors.Messages;
using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Training.Data;
using Nachos.Shared.Files;
using Nachos.Shared.SpecLoading;

namespace Nachos.Host.Running;

/// <summary>
/// Studies stored in run directories: the spec copy (spec.yaml, with its original location in
/// spec-source.txt so relative paths resolve as they did), the audited plan (splits.json) and the
/// manifest. <c>nachos run</c> has one run directory; a cluster keeps each study in
/// <c>ROOT/studies/ID</c> on storage every node sees.
/// </summary>
public sealed class RunDirectoryCatalog(Func<string, string> directoryOf) : IStudyCatalog
{
    private readonly ConcurrentDictionary<string, StudyContext> _studies = new();
    private readonly ConcurrentDictionary<string, string> _unloadable = new();

    public RunDirectoryCatalog(string runDir) : this(_ => runDir)
    {
    }

    public static RunDirectoryCatalog ForCampaign(string root) => new(id => StudyDirectory(root, id));

    public static string StudiesDirectory(string root) => Path.Combine(root, "studies");

    public static string StudyDirectory(string root, string studyId) => Path.Combine(StudiesDirectory(root), studyId);

    /// <summary>Studies of a campaign root that have no report yet and are not cancelled.</summary>
    public static IReadOnlyList<string> Unfinished(string root) =>
        !Directory.Exists(StudiesDirectory(root))
            ? []
            : Directory.GetDirectories(StudiesDirectory(root))
                .Where(d => File.Exists(RunLayout.SpecPath(d)) && !File.Exists(RunLayout.ReportPath(d)) && !File.Exists(RunLayout.CancelledPath(d)))
                .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// A start, with its brief, for every unfinished study of the campaign at <paramref name="root"/>. A study whose files
    /// cannot be loaded is skipped and told to <paramref name="problem"/> once per distinct error.
    /// </summary>
    public IReadOnlyList<StartStudy> UnfinishedStarts(string root, Action<string> problem)
    {
        var starts = new List<StartStudy>();
        foreach (var id in Unfinished(root))
        {
            try
            {
                starts.Add(new StartStudy(id, Get(id).Brief));
                _unloadable.TryRemove(id, out _);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                var message = $"study {id}: not started ({e.Message})";
                if (!_unloadable.TryGetValue(id, out var told) || told != message) problem(message);
                _unloadable[id] = message;
            }
        }
        return starts;
    }

    public StudyContext Get(string studyId) => _studies.GetOrAdd(studyId, id => Load(directoryOf(id)));

    public string RunDirectory(string studyId) => directoryOf(studyId);

    public void Add(StudyContext context) => _studies[context.Spec.Name] = context;

    private static StudyContext Load(string runDir)
    {
        var spec = LoadSpec(runDir) ?? throw new InvalidOperationException($"{runDir}: no study spec");
        var plan = SplitPlan.Read(RunLayout.SplitsPath(runDir));
        return new StudyContext(spec, plan, LoadManifest(spec), runDir, StudyDeployment.OriginOf(runDir));
    }

    /// <summary>The study's manifest, read from its dataset (an .npz is loaded whole).</summary>
    public static Manifest LoadManifest(StudySpec spec) =>
        spec.Dataset.Format == DatasetFormat.Npz ? DatasetLoader.Load(spec).Manifest : CsvManifestReader.Read(spec.Dataset, spec.Task);

    /// <summary>The study spec stored in a run directory, or null when there is none.</summary>
    public static StudySpec? LoadSpec(string runDir)
    {
        var copy = RunLayout.SpecPath(runDir);
        if (!File.Exists(copy)) return null;
        return SpecLoader.Parse(File.ReadAllText(copy), File.ReadAllText(RunLayout.SpecSourcePath(runDir)).Trim());
    }

    /// <summary>Stores the spec and plan; a run directory holds one study and never silently switches to another.</summary>
    public static void Store(string runDir, string specPath, SplitPlan plan) => Store(runDir, File.ReadAllText(specPath), specPath, plan);

    /// <param name="text">The spec as submitted.</param>
    /// <param name="specPath">Where relative paths in it resolve from (its folder); need not exist.</param>
    /// <returns>False when the directory already held this very study (nothing was written).</returns>
    public static bool Store(string runDir, string text, string specPath, SplitPlan plan)
    {
        Directory.CreateDirectory(runDir);
        var copy = RunLayout.SpecPath(runDir);
        if (File.Exists(copy))
        {
            if (File.ReadAllText(copy) != text)
                throw new InvalidOperationException($"{runDir} holds a different study spec ({copy}); resume it with that spec or choose another --run-dir");
            var stored = SplitPlan.Read(RunLayout.SplitsPath(runDir));
            if (stored.Hash != plan.Hash)
                throw new InvalidOperationException($"{runDir}: the data no longer gives the stored split plan (hash {stored.Hash[..12]} vs {plan.Hash[..12]}); the dataset changed");
            return false;
        }
        plan.Write(RunLayout.SplitsPath(runDir));
        File.WriteAllText(RunLayout.SpecSourcePath(runDir), Path.GetFullPath(specPath));
        File.WriteAllText(RunLayout.SoftwarePath(runDir), SoftwareVersion.Line + "\n");
        AtomicFile.WriteAllText(copy, text);
        return true;
    }
}
