using Nachos.Bench;

return args.FirstOrDefault() switch
{
    "pipeline" => PipelineThroughput.Run(args.Skip(1).ToArray()),
    "segmentation" => SegmentationThroughput.Run(args.Skip(1).ToArray()),
    "predict" => PredictThroughput.Run(args.Skip(1).ToArray()),
    "task-start" => TaskStart.Run(args.Skip(1).ToArray()),
    "orchestration" => await OrchestrationOverhead.Run(args.Skip(1).ToArray()),
    "sim-task" => SimulatedTaskCost.Run(args.Skip(1).ToArray()),
    "journal" => await JournalLatency.Run(args.Skip(1).ToArray()),
    "failover" => ClusterBenchmarks.Failover(args.Skip(1).ToArray()),
    "cluster-overhead" => ClusterBenchmarks.Overhead(args.Skip(1).ToArray()),
    "growth" => await GrowthBenchmark.Run(args.Skip(1).ToArray()),
    "scheduler" => SchedulerSavings.Run(args.Skip(1).ToArray()),
    "scheduler-replay" => SchedulerReplay.Run(args.Skip(1).ToArray()),
    "task-phases" => TaskPhases.Run(args.Skip(1).ToArray()),
    "proxy" => ProxySpeed.Run(args.Skip(1).ToArray()),
    "strong-ops" => StrongOpsCost.Run(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Nachos.Bench pipeline [--epochs N] [--rounds N] | predict [--rounds N] [--passes N] [--width-percent W] [--patients N] | segmentation [--epochs N] [--rounds N] [--patients N] [--size S] [--width-percent W] [--eval-images N] [--eval-train-epochs N] | task-start [--images N] [--size S] [--rounds N] | orchestration [--tasks N] [--ms D] [--slots S] | sim-task [--rounds N] [--tasks N] [--dir D] | journal [--postgres [--no-fsync]] | failover [--rounds N] [--lease-timeout S] [--trainer torch] | cluster-overhead [--ms D] [--rounds N] | growth [--tasks N] | proxy [--epochs N] [--rounds N] [--patients N] | scheduler [--trials N] [--epochs N] [--rounds N] [--patients N] [--searches full-budget,full,asha,asha-grace3,asha-eta2,asha-grace3-eta2,asha-budget,sha,sha-extrapolated,asha-extrapolated,sha-extrapolated-budget,all-three] [--executors subprocess,worker] [--trace] [--keep DIR] [--monitor val_loss|val_auroc|val_dice] | scheduler-replay DIR | task-phases [--rounds N] [--epochs N] [--patients N] | strong-ops [--size S] [--channels C] [--images N]");
    return 2;
}
