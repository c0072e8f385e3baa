using System.CommandLine;
using Nachos.Training.Synth;
using Spectre.Console;
using Nachos.Host.Cli;

namespace Nachos.Host.Commands;

/// <summary><c>nachos dataset synth</c>: writes the built-in synthetic demo data.</summary>
public static class DatasetCommand
{
    public static Command Create()
    {
        var outOption = new Option<DirectoryInfo>("--out") { Description = "folder to write images/, masks/ and manifest.csv into", Required = true };
        var task = new Option<string>("--task") { Description = "classification or segmentation", DefaultValueFactory = _ => "classification" };
        task.AcceptOnlyFromAmong("classification", "segmentation");
        var patients = new Option<int>("--patients") { Description = "number of patients", DefaultValueFactory = _ => 60 };
        var sites = new Option<int>("--sites") { Description = "number of acquisition sites", DefaultValueFactory = _ => 3 };
        var size = new Option<int>("--size") { Description = "image side in pixels", DefaultValueFactory = _ => 64 };
        var seed = new Option<int>("--seed") { Description = "random seed", DefaultValueFactory = _ => 7 };
        var synth = new Command("synth", "generate the seeded synthetic lesion dataset (PNG images, masks, manifest.csv); --task segmentation: the lesion-segmentation demo")
        {
            outOption, task, patients, sites, size, seed,
        };
        synth.SetAction(r =>
        {
            var o = new SyntheticOptions(r.GetValue(patients), r.GetValue(sites), r.GetValue(size), r.GetValue(seed));
            var segmentation = r.GetValue(task) == "segmentation";
            if (o.Patients < 2 || o.Sites < 1 || o.Sites > o.Patients || o.Size < 16)
            {
                Console.Error.WriteLine("error: need --patients >= 2, 1 <= --sites <= --patients and --size >= 16");
                return ExitCodes.BadInput;
            }
            var dir = r.GetValue(outOption)!.FullName;
            var manifest = AnsiConsole.Progress().Start(ctx =>
            {
                var bar = ctx.AddTask("patients", maxValue: o.Patients);
                return segmentation
                    ? SyntheticSegmentation.Generate(dir, o, (done, _) => bar.Value = done)
                    : SyntheticDataset.Generate(dir, o, (done, _) => bar.Value = done);
            });
            Console.WriteLine($"wrote {manifest}");
            return ExitCodes.Ok;
        });
        return new Command("dataset", "dataset tools") { synth };
    }
}
