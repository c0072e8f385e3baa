using Nachos.Shared.Robustness;
using Nachos.Training.Data;

namespace Nachos.Training.Tests;

/// <summary>
/// The stress test's shifts (docs/robustness.md) against values computed beforehand with NumPy/SciPy
/// (scipy.ndimage.correlate1d with mode "mirror" is OpenCV's reflect-101 border), and the noise's determinism.
/// </summary>
public sealed class DistributionShiftTests
{
    /// <summary>Values ((37·i) mod 101) / 100, as the reference computation made them.</summary>
    private static float[] Image(int n) => Enumerable.Range(0, n).Select(i => (i * 37 % 101) / 100f).ToArray();

    private static void Close(double[] expected, float[] actual, double tolerance = 2e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"value {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void Gamma_at_severity_1_raises_each_value_to_the_power_1_25()
    {
        // numpy: x ** 1.25
        double[] expected = [0.0, 0.288570648, 0.686340536, 0.056234133, 0.389154738, 0.804172296, 0.133748061, 0.495271765, 0.925571167, 0.222024841, 0.606168694, 0.012485374, 0.318108292, 0.721295805, 0.078060116, 0.420448208, 0.840231706, 0.159279467, 0.528067042, 0.962641694];
        Close(expected, DistributionShift.Apply(Image(20), 1, 4, 5, ShiftKind.Gamma, 1, "a"));
    }

    [Fact]
    public void Gaussian_blur_at_severity_4_is_scipys_separable_correlation_with_a_7_tap_sigma_2_kernel_and_mirrored_borders()
    {
        Assert.Equal(7, PhotometricOps.BlurKernelSize(Shifts.Parameter(ShiftKind.GaussianBlur, 4)));
        // k = scipy.signal.windows.gaussian(7, 2.0) / sum; correlate1d(correlate1d(x, k, axis=1, mode="mirror"), k, axis=0, mode="mirror")
        double[] expected = [0.506666082, 0.493655782, 0.488872974, 0.486076381, 0.508294401, 0.509732964, 0.511436511, 0.513826827, 0.503522335, 0.496753155, 0.49260799, 0.509256732, 0.507006004, 0.504761557, 0.513110504, 0.504269821, 0.500707787, 0.500679285, 0.508814498, 0.503143567, 0.49851421, 0.516172324, 0.513342347, 0.511897415, 0.515061074, 0.511939783, 0.500482542, 0.488280175, 0.525238443, 0.522993996, 0.520743268, 0.523877924, 0.507999208, 0.48974257, 0.474546857, 0.518563489, 0.520267036, 0.521705599, 0.528610154, 0.512517705, 0.494717902, 0.476165122];
        Close(expected, DistributionShift.Apply(Image(42), 1, 6, 7, ShiftKind.GaussianBlur, 4, "a"));
    }

    [Fact]
    public void Contrast_at_severity_2_blends_rgb_values_with_the_images_mean_bt601_luma()
    {
        // mean = (0.299 R + 0.587 G + 0.114 B).mean(); clip(0.6 x + 0.4 mean, 0, 1)
        double[] expected = [0.19498, 0.41698, 0.63898, 0.25498, 0.47698, 0.69898, 0.31498, 0.53698, 0.75898, 0.37498, 0.59698, 0.21298, 0.43498, 0.65698, 0.27298, 0.49498, 0.71698, 0.33298, 0.55498, 0.77698, 0.39298, 0.61498, 0.23098, 0.45298, 0.67498, 0.29098, 0.51298, 0.73498, 0.35098, 0.57298, 0.79498, 0.41098, 0.63298, 0.24898, 0.47098, 0.69298];
        Close(expected, DistributionShift.Apply(Image(36), 3, 3, 4, ShiftKind.Contrast, 2, "a"));
    }

    [Fact]
    public void Channel_scale_at_severity_3_scales_red_by_1_3_and_blue_by_0_7_clipped()
    {
        double[] expected = [0.0, 0.481, 0.962, 0.13, 0.611, 1.0, 0.26, 0.741, 1.0, 0.39, 0.871, 0.039, 0.4, 0.77, 0.13, 0.5, 0.87, 0.23, 0.6, 0.97, 0.33, 0.7, 0.06, 0.43, 0.56, 0.112, 0.371, 0.63, 0.182, 0.441, 0.7, 0.252, 0.511, 0.063, 0.322, 0.581];
        Close(expected, DistributionShift.Apply(Image(36), 3, 3, 4, ShiftKind.ChannelScale, 3, "a"));
    }

    [Fact]
    public void A_channel_grid_cell_scales_red_and_blue_independently_clipped_and_keeps_green()
    {
        // Red ×0.6, blue ×1.4 (NumPy: np.clip(x[0]·0.6, 0, 1), np.clip(x[2]·1.4, 0, 1)).
        double[] expected = [0.0, 0.222, 0.444, 0.06, 0.282, 0.504, 0.12, 0.342, 0.564, 0.18, 0.402, 0.018, 0.4, 0.77, 0.13, 0.5, 0.87, 0.23, 0.6, 0.97, 0.33, 0.7, 0.06, 0.43, 1.0, 0.224, 0.742, 1.0, 0.364, 0.882, 1.0, 0.504, 1.0, 0.126, 0.644, 1.0];
        var img = Image(36);
        Close(expected, DistributionShift.Apply(img, 3, 3, 4, new ChannelGridCell(-0.4, 0.4)));
        Assert.Equal(Image(36), img);
        Assert.Equal(img, DistributionShift.Apply(img, 3, 3, 4, new ChannelGridCell(0, 0)));
        Assert.Throws<ArgumentException>(() => DistributionShift.Apply(Image(12), 1, 3, 4, new ChannelGridCell(0.2, 0)));
    }

    [Fact]
    public void Jpeg_is_the_strong_augmentations_round_trip_at_the_severitys_quality()
    {
        var img = Image(3 * 16 * 16);
        var expected = (float[])img.Clone();
        JpegRoundTrip.Apply(expected, 3, 16, 16, 10, new float[JpegRoundTrip.ScratchLength(16, 16)]);
        Assert.Equal(expected, DistributionShift.Apply(img, 3, 16, 16, ShiftKind.Jpeg, 5, "a"));
        Assert.NotEqual(img, expected);
    }

    [Fact]
    public void Downscale_at_severity_2_averages_2x2_blocks_then_scales_back_up_bilinearly()
    {
        float[] img = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
        var shifted = DistributionShift.Apply(img.Select(v => v / 16f).ToArray(), 1, 4, 4, ShiftKind.Downscale, 2, "a");
        // 2×2 block means 2.5, 4.5, 10.5, 12.5; back to 4×4 with pixel-centre alignment (edges clamped).
        double[] expected = [2.5, 3, 4, 4.5, 4.5, 5, 6, 6.5, 8.5, 9, 10, 10.5, 10.5, 11, 12, 12.5];
        Close(expected.Select(v => v / 16).ToArray(), shifted);
    }

    [Fact]
    public void Gaussian_noise_depends_on_the_image_id_and_severity_alone_and_has_the_severitys_standard_deviation()
    {
        var grey = Enumerable.Repeat(0.5f, 3 * 64 * 64).ToArray();
        var a = DistributionShift.Apply(grey, 3, 64, 64, ShiftKind.GaussianNoise, 5, "patient-1/img.png");
        Assert.Equal(a, DistributionShift.Apply(grey, 3, 64, 64, ShiftKind.GaussianNoise, 5, "patient-1/img.png"));
        Assert.NotEqual(a, DistributionShift.Apply(grey, 3, 64, 64, ShiftKind.GaussianNoise, 5, "patient-2/img.png"));
        Assert.All(grey, v => Assert.Equal(0.5f, v));
        var mean = a.Average();
        var sd = Math.Sqrt(a.Select(v => (v - mean) * (v - mean)).Average());
        // σ 0.2 around 0.5: clipping at 0 and 1 (beyond 2.5 σ) barely narrows it.
        Assert.InRange(mean, 0.49, 0.51);
        Assert.InRange(sd, 0.19, 0.205);
        var mild = DistributionShift.Apply(grey, 3, 64, 64, ShiftKind.GaussianNoise, 1, "patient-1/img.png");
        var sdMild = Math.Sqrt(mild.Select(v => (v - 0.5) * (v - 0.5)).Average());
        Assert.InRange(sdMild, 0.019, 0.021);
    }

    [Fact]
    public void Every_shift_keeps_values_in_0_1_and_the_input_untouched()
    {
        var img = Image(3 * 12 * 12);
        var copy = (float[])img.Clone();
        foreach (var kind in Enum.GetValues<ShiftKind>())
            for (var s = 1; s <= Shifts.Severities; s++)
            {
                var shifted = DistributionShift.Apply(img, 3, 12, 12, kind, s, "x");
                Assert.Equal(img.Length, shifted.Length);
                Assert.All(shifted, v => Assert.InRange(v, 0f, 1f));
            }
        Assert.Equal(copy, img);
    }
}
