namespace Nachos.Shared.Robustness;

/// <summary>A named distribution shift applied to test images (docs/robustness.md).</summary>
public enum ShiftKind
{
    Gamma,
    Brightness,
    Contrast,
    GaussianBlur,
    GaussianNoise,
    Jpeg,
    Downscale,
    ChannelScale,
}
