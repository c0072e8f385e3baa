using Nachos.Shared.Spec;
using Nachos.Shared.SpecLoading;
using Nachos.Training.Synth;

namespace Nachos.Bench;

/// <summary>The benchmarks' synthetic data, generated once per folder, and a spec written beside it.</summary>
internal static class BenchStudy
{
    /// <summary>The folder <paramref name="name"/> under the temporary directory, with the synthetic data of <paramref name="options"/> unless it has them already.</summary>
    public static string Data(string name, SyntheticOptions options)
    {
        var dir = Path.Combine(Path.GetTempPath(), name);
        if (!File.Exists(Path.Combine(dir, "manifest.csv"))) SyntheticDataset.Generate(dir, options);
        return dir;
    }

    /// <summary><paramref name="yaml"/> written in the data folder <paramref name="dir"/> as bench.yaml, and loaded.</summary>
    public static StudySpec Spec(string dir, string yaml)
    {
        var specPath = Path.Combine(dir, "bench.yaml");
        File.WriteAllText(specPath, yaml);
        return SpecLoader.LoadFile(specPath);
    }
}
