using System.Text.Json;
using Nachos.Shared.Data;
using Nachos.Shared.Files;

namespace Nachos.Training.Synth;

/// <summary>
/// What a folder of synthetic data was generated with, kept beside its manifest (<see cref="FileName"/>). A spec's
/// <c>dataset.synthetic</c> reuses the folder only when it asks for the same data; otherwise the study would train on
/// data other than it states, silently.
/// </summary>
public sealed record SyntheticStamp(string Task, int Patients, int Sites, int Size, int Seed)
{
    public const string FileName = "synthetic.json";

    public static SyntheticStamp Of(SyntheticOptions o, bool segmentation) =>
        new(segmentation ? "segmentation" : "classification", o.Patients, o.Sites, o.Size, o.Seed);

    /// <summary>Written before the manifest, which a generator writes last: a folder with a manifest has its stamp.</summary>
    public void Write(string folder) => AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this));

    /// <summary>Throws <see cref="DataException"/> unless <paramref name="folder"/>'s stamp says it holds this data.</summary>
    public void Check(string folder)
    {
        var path = Path.Combine(folder, FileName);
        const string remedy = "remove the folder (it is generated again) or choose another dataset.synthetic.out";
        if (!File.Exists(path))
            throw new DataException($"{Path.Combine(folder, "manifest.csv")}: already there but without {FileName}, so not known to be the data dataset.synthetic asks for ({this}): {remedy}");
        SyntheticStamp? found;
        try { found = JsonSerializer.Deserialize<SyntheticStamp>(File.ReadAllText(path)); }
        catch (JsonException) { found = null; }
        if (found is null) throw new DataException($"{path}: not a synthetic data stamp: {remedy}");
        if (found != this)
            throw new DataException($"{folder}: holds synthetic data generated with {found}; dataset.synthetic asks for {this}: {remedy}");
    }

    public override string ToString() => $"{Task}, patients {Patients}, sites {Sites}, size {Size}, seed {Seed}";
}
