using Nachos.Shared.Spec;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Search;

/// <summary>A finished trial as the sampler may see it: its index, configuration and score (null = failed).</summary>
public sealed record TrialOutcome(int Index, Hyperparameters Config, double? Score);

/// <summary>Proposes hyperparameter configurations for the trials of one outer fold. See docs/search.md.</summary>
public interface ISampler
{
    /// <summary>
    /// Proposes the configuration of trial <paramref name="trialIndex"/> (0-based).
    /// <paramref name="earlier"/>: the configurations of trials 0..trialIndex-1 (all already proposed), for duplicate rejection.
    /// <paramref name="visible"/>: finished trials this trial may condition on (the caller passes only trials with
    /// index &lt; trialIndex − P, P = trials in flight, so results stay reproducible whatever order they arrive in).
    /// A pure function of (space, seed, trialIndex, earlier, visible): same inputs, same output, in any process.
    /// </summary>
    Hyperparameters Suggest(int trialIndex, IReadOnlyList<Hyperparameters> earlier, IReadOnlyList<TrialOutcome> visible);
}

public static class Samplers
{
    /// <summary>
    /// The sampler <paramref name="search"/> asks for. <paramref name="seed"/> already distinguishes the study and
    /// the outer fold (the caller derives it). Throws <see cref="ArgumentException"/> for a space that cannot be sampled
    /// (e.g. an int range holding no integer, a condition cycle).
    /// </summary>
    public static ISampler Create(SearchSpec search, int seed)
    {
        var space = new ParamSpace(search.Space);
        return search.Sampler switch
        {
            SamplerKind.Random => new RandomSampler(space, seed),
            SamplerKind.Grid => new GridSampler(space, search.GridPoints),
            SamplerKind.Tpe => new TpeSampler(space, seed, search.Maximise),
            _ => throw new ArgumentOutOfRangeException(nameof(search), search.Sampler, "unknown sampler"),
        };
    }
}
