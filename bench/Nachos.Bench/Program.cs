using Nachos.Bench;

return args.FirstOrDefault() switch
{
    "pipeline" => PipelineThroughput.Run(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Nachos.Bench pipeline [--epochs N] [--patients N]");
    return 2;
}
