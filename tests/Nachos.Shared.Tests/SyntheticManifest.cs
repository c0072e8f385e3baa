using Nachos.Shared.Data;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Tests;

/// <summary>Random manifests built in code: patients with 1..5 images each, classes, sites and folds.</summary>
internal static class SyntheticManifest
{
    public const int MaxImagesPerPatient = 5;

    /// <summary>
    /// One class, site and fold per patient. Patients are ranked at random; rank r gets class r % classes,
    /// site (r / classes) % sites and fold (r / classes) % folds (no fold when folds is 0), so every class has at least
    /// floor(patients / classes) patients and is spread evenly over sites and folds.
    /// </summary>
    public static Manifest ByPatient(Random rng, int patients, int classes, int sites = 3, int folds = 3, TaskKind task = TaskKind.Multiclass)
    {
        var rank = Enumerable.Range(0, patients).OrderBy(_ => rng.Next()).ToArray();
        var samples = new List<Sample>();
        for (var p = 0; p < patients; p++)
        {
            var r = rank[p];
            var images = rng.Next(1, MaxImagesPerPatient + 1);
            for (var i = 0; i < images; i++)
                samples.Add(new Sample(
                    $"p{p}-i{i}", samples.Count + 2, $"/data/p{p}-i{i}.png", [r % classes], null,
                    $"p{p}", $"site{(r / classes) % sites}", folds > 0 ? $"fold{(r / classes) % folds}" : null));
        }
        return new Manifest("synthetic", task, Enumerable.Range(0, classes).Select(c => $"c{c}").ToArray(), samples);
    }

    /// <summary>Patients with mixed labels: image labels are a balanced random permutation over all images.</summary>
    public static Manifest ByImage(Random rng, int patients, int classes)
    {
        var sizes = Enumerable.Range(0, patients).Select(_ => rng.Next(1, MaxImagesPerPatient + 1)).ToArray();
        var n = sizes.Sum();
        var rank = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).ToArray();
        var samples = new List<Sample>();
        for (var p = 0; p < patients; p++)
            for (var i = 0; i < sizes[p]; i++)
                samples.Add(new Sample(
                    $"p{p}-i{i}", samples.Count + 2, $"/data/p{p}-i{i}.png", [rank[samples.Count] % classes], null,
                    $"p{p}", $"site{p % 3}", null));
        return new Manifest("synthetic", TaskKind.Multiclass, Enumerable.Range(0, classes).Select(c => $"c{c}").ToArray(), samples);
    }

    /// <summary>A manifest from (id, patient, class, site) rows.</summary>
    public static Manifest Of(IReadOnlyList<string> classes, params (string Id, string Patient, int Label, string? Site)[] rows) =>
        new("hand-made", TaskKind.Multiclass, classes,
            rows.Select((r, i) => new Sample(r.Id, i + 2, "/data/" + r.Id, [r.Label], null, r.Patient, r.Site, null)).ToArray());

    public static int[] ClassCounts(Manifest m, IEnumerable<string> ids, int classes)
    {
        var counts = new int[classes];
        foreach (var id in ids) counts[m.ById[id].Labels[0]]++;
        return counts;
    }

    public static int MinPatientsPerClass(Manifest m) =>
        m.Samples.GroupBy(s => s.Labels[0]).Min(g => g.Select(s => s.Group).Distinct().Count());
}
