using Nachos.Shared.Tasks;

namespace Nachos.Shared.Search;

/// <summary>
/// Grid search: trial n gets point n mod size of the <see cref="ConfigProduct"/> of the parameters' grid levels
/// (<see cref="Param.GridLevels"/>), so trials beyond the grid size start again from the first point.
/// Needs no seed and ignores results.
/// </summary>
internal sealed class GridSampler(ParamSpace space, int points) : ISampler
{
    private readonly ConfigProduct _grid = new(space, p => p.GridLevels(points));

    public System.Numerics.BigInteger Size => _grid.Count;

    public Hyperparameters Suggest(int trialIndex, IReadOnlyList<Hyperparameters> earlier, IReadOnlyList<TrialOutcome> visible)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trialIndex);
        return _grid.At(trialIndex % _grid.Count);
    }
}
