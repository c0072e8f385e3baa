namespace Nachos.Shared.Study;

/// <summary>One model of a fold's mask ensemble: a trial of a study (its inner split models).</summary>
public sealed record EnsembleCandidate(string Study, int Trial)
{
    public override string ToString() => $"{Study}/t{Trial}";
}
