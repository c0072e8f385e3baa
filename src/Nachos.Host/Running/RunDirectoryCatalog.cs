using System.Collections.Concurrent;
using Nachos.Actors.Entities;
using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;

namespace Nachos.Host.Running;

/// <summary>
/// The studies of one run directory: the spec copy (spec.yaml, with its original location in
/// spec-source.txt so relative paths resolve as they did), the audited plan (splits.json) and the manifest.
/// </summary>
public sealed class RunDirectoryCatalog(string runDir) : IStudyCatalog
{
    private readonly ConcurrentDictionary<string, StudyContext> _studies = new();

    public string RunDir { get; } = runDir;

    public StudyContext Get(string studyId) => _studies.GetOrAdd(studyId, _ => Load());

    public void Add(StudyContext context) => _studies[context.Spec.Name] = context;

    private StudyContext Load()
    {
        var spec = LoadSpec(RunDir) ?? throw new InvalidOperationException($"{RunDir}: no study spec");
        var plan = SplitPlan.Read(Path.Combine(RunDir, "splits.json"));
        var manifest = spec.Dataset.Format == DatasetFormat.Npz
            ? throw new InvalidOperationException("npz studies are loaded by the host with their images")
            : CsvManifestReader.Read(spec.Dataset, spec.Task);
        return new StudyContext(spec, plan, manifest, RunDir);
    }

    /// <summary>The study spec stored in a run directory, or null when there is none.</summary>
    public static StudySpec? LoadSpec(string runDir)
    {
        var copy = Path.Combine(runDir, "spec.yaml");
        if (!File.Exists(copy)) return null;
        return SpecLoader.Parse(File.ReadAllText(copy), File.ReadAllText(Path.Combine(runDir, "spec-source.txt")).Trim());
    }

    /// <summary>Stores the spec and plan; a run directory holds one study and never silently switches to another.</summary>
    public static void Store(string runDir, string specPath, SplitPlan plan)
    {
        Directory.CreateDirectory(runDir);
        var text = File.ReadAllText(specPath);
        var copy = Path.Combine(runDir, "spec.yaml");
        if (File.Exists(copy))
        {
            if (File.ReadAllText(copy) != text)
                throw new InvalidOperationException($"{runDir} holds a different study spec ({copy}); resume it with that spec or choose another --run-dir");
            var stored = SplitPlan.Read(Path.Combine(runDir, "splits.json"));
            if (stored.Hash != plan.Hash)
                throw new InvalidOperationException($"{runDir}: the data no longer gives the stored split plan (hash {stored.Hash[..12]} vs {plan.Hash[..12]}); the dataset changed");
            return;
        }
        plan.Write(Path.Combine(runDir, "splits.json"));
        File.WriteAllText(Path.Combine(runDir, "spec-source.txt"), Path.GetFullPath(specPath));
        File.WriteAllText(copy + ".tmp", text);
        File.Move(copy + ".tmp", copy);
    }
}
