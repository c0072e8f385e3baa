using System.Text.Json.Serialization;

namespace Nachos.Shared.Tasks;

/// <summary>
/// One finished epoch of a running task, as its trainer reports it: one line of the child's progress.jsonl, and what
/// a device heartbeats to the queue so the tasks API can show "epoch 3/20". <paramref name="Epoch"/> counts from 1.
/// </summary>
/// <param name="Monitor">The early-stopping metric (val_loss, val_auroc, ...); null without a validation set.</param>
/// <param name="Monitored">Its value this epoch.</param>
public sealed record EpochProgress(
    [property: JsonPropertyName("epoch")] int Epoch,
    [property: JsonPropertyName("max_epochs")] int MaxEpochs,
    [property: JsonPropertyName("train_loss")] double? TrainLoss,
    [property: JsonPropertyName("validation_loss")] double? ValidationLoss,
    [property: JsonPropertyName("monitor")] string? Monitor,
    [property: JsonPropertyName("monitored")] double? Monitored,
    [property: JsonPropertyName("seconds")] double Seconds);
