using Nachos.Shared.Tasks;

namespace Nachos.Training.Engine;

/// <summary>Streamed while training: after each batch (<c>Completed</c> null) and after each epoch.</summary>
public sealed record TrainingProgress(int Epoch, int MaxEpochs, int Batch, int Batches, double RunningLoss, EpochRecord? Completed);
