using Nachos.Shared.Spec;

namespace Nachos.Shared.Tasks;

/// <summary>
/// Early-stopping state: the best monitored value so far, its epoch, and epochs since an improvement.
/// <c>val_loss</c> and the surface distances are minimised, every other monitor maximised; an improvement must beat the best by more
/// than <c>minDelta</c>; an undefined value (null) never improves.
/// </summary>
public sealed record EarlyStopping(double? Best, int BestEpoch, int BadEpochs)
{
    public static readonly EarlyStopping Start = new(null, -1, 0);

    public static bool Minimises(string monitor) => monitor.StartsWith("val_", StringComparison.Ordinal) && SpecNames.Minimised(monitor[4..]);

    public EarlyStopping Observe(int epoch, double? value, string monitor, double minDelta)
    {
        var better = value is { } v && (Best is not { } b || (Minimises(monitor) ? v < b - minDelta : v > b + minDelta));
        return better ? new EarlyStopping(value, epoch, 0) : this with { BadEpochs = BadEpochs + 1 };
    }

    public bool ShouldStop(int patience) => BadEpochs >= patience;
}
