using Nachos.Shared.Data;
using Nachos.Shared.Proxy;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Training.Data;
using Spectre.Console;
using Nachos.Host.Cli;
using Nachos.Shared.SpecLoading;

namespace Nachos.Host.Running;

/// <summary>A spec, its decoded dataset and its audited split plan: everything checked before any training starts.</summary>
public sealed record StudyInputs(StudySpec Spec, LoadedDataset Data, SplitPlan Plan)
{
    /// <summary>Loads and checks; on bad input prints what is wrong and returns null (exit code 2).</summary>
    /// <param name="text">The spec's text to use instead of the file's (its relative paths still resolve against the file's folder).</param>
    public static StudyInputs? Load(string specPath, string? text = null)
    {
        try
        {
            var spec = text is null ? SpecLoader.LoadFile(specPath) : SpecLoader.Parse(text, Path.GetFullPath(specPath));
            var data = AnsiConsole.Progress().Start(ctx =>
            {
                var bar = ctx.AddTask("decoding images", maxValue: 1);
                return DatasetLoader.Load(spec, (done, total) =>
                {
                    bar.MaxValue = total;
                    bar.Value = done;
                });
            });
            foreach (var skipped in data.Skipped) AnsiConsole.MarkupLineInterpolated($"[yellow]skipped[/] {skipped}");
            return new StudyInputs(spec, data, PlanOf(spec, data));
        }
        catch (Exception e) when (e is SpecException or DataException or SplitException)
        {
            ExitCodes.Refuse(e.Message);
            return null;
        }
    }

    /// <summary>
    /// Checks a spec given as text, quietly (the control API). Relative paths in it resolve against the folder of
    /// <paramref name="sourcePath"/>; every file it reads must lie under <paramref name="roots"/>. Throws
    /// <see cref="SpecException"/>, <see cref="DataException"/> or <see cref="SplitException"/>.
    /// </summary>
    public static StudyInputs Check(string yaml, string sourcePath, DataRoots roots)
    {
        var spec = SpecLoader.Parse(yaml, sourcePath, roots);
        var data = DatasetLoader.Load(spec, roots: roots);
        return new StudyInputs(spec, data, PlanOf(spec, data));
    }

    /// <summary>The split plan, with each fold's proxy-data selection when the spec asks for one (it reads the decoded images).</summary>
    private static SplitPlan PlanOf(StudySpec spec, LoadedDataset data)
    {
        var plan = SplitPlanner.Plan(data.Manifest, spec.Split, spec.Seed, spec.Deploy?.TrainsAllData == true);
        return spec.Search.Proxy?.Data is { } proxy ? ProxyData.Apply(plan, data.Manifest, id => data.Images[id], proxy, spec.Seed) : plan;
    }
}
