namespace Nachos.Shared.Statistics;

/// <summary>
/// The alternative hypothesis, as SciPy spells it: <see cref="Less"/> and <see cref="Greater"/> are about the first
/// sample (or the differences first − second) being smaller or larger under the alternative.
/// </summary>
public enum Alternative
{
    TwoSided,
    Less,
    Greater,
}
