using Nachos.Shared.Tasks;
using Nachos.Shared.Seeding;

namespace Nachos.Shared.Search;

/// <summary>
/// Independent random configurations: trial n, attempt a draws every active parameter from its prior with a stream
/// seeded by <c>Seeds.Derive(seed, n, a)</c>. A draw equal to an earlier trial's configuration is rejected and
/// redrawn (attempt a + 1), up to <see cref="MaxAttempts"/> times; then, in a finite space, an unseen configuration is
/// picked uniformly; only when every configuration has been tried is a duplicate accepted.
/// </summary>
internal sealed class RandomSampler(ParamSpace space, int seed) : ISampler
{
    public const int MaxAttempts = 100;

    /// <summary>Finite spaces up to this size are enumerated when rejection sampling keeps hitting earlier configurations.</summary>
    private const int MaxEnumerated = 100_000;

    private readonly Lazy<ConfigProduct?> _all = new(() =>
        space.Params.All(p => p.AllLevels() is not null) ? new ConfigProduct(space, p => p.AllLevels()!) : null);

    public Hyperparameters Suggest(int trialIndex, IReadOnlyList<Hyperparameters> earlier, IReadOnlyList<TrialOutcome> visible)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trialIndex);
        if (space.Params.Count == 0) return Hyperparameters.Empty;
        return TryUnseen(trialIndex, new HashSet<Hyperparameters>(earlier, ConfigComparer.Instance)) ?? Draw(trialIndex, 0);
    }

    /// <summary>A random configuration not in <paramref name="seen"/>; null if none was found (the space is exhausted).</summary>
    public Hyperparameters? TryUnseen(int trialIndex, IReadOnlySet<Hyperparameters> seen)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var config = Draw(trialIndex, attempt);
            if (!seen.Contains(config)) return config;
        }
        if (_all.Value is not { } all || all.Count > MaxEnumerated) return null;
        var unseen = Enumerable.Range(0, (int)all.Count).Select(i => all.At(i)).Where(c => !seen.Contains(c)).ToList();
        if (unseen.Count == 0) return null;
        var rng = new SplitMix(Seeds.Derive(seed, trialIndex, MaxAttempts));
        return unseen[Param.Pick(ref rng, unseen.Count)];
    }

    private Hyperparameters Draw(int trialIndex, int attempt)
    {
        var rng = new SplitMix(Seeds.Derive(seed, trialIndex, attempt));
        return space.Draw(ref rng);
    }
}
