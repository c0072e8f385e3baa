using TorchSharp;

namespace Nachos.Training.Torch;

/// <summary>
/// Scalars that live for the whole process. TorchSharp converts numbers to Scalars implicitly, and such a
/// temporary can be finalized by a collection another thread triggers while libtorch still reads it (see
/// <see cref="ScalarSafe.Adam"/>); hot paths pass these, or Scalars held in a <c>using</c>, instead.
/// </summary>
public static class Scalars
{
    public static readonly Scalar One = 1.ToScalar();
}
