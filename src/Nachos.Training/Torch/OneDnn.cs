using System.Runtime.InteropServices;
using TorchSharp;

namespace Nachos.Training.Torch;

/// <summary>
/// Keeps libtorch's CPU convolutions off oneDNN (mkldnn). oneDNN 3.7.1 in libtorch-cpu 2.10.0 returns wrong or NaN
/// input gradients (conv backward-data, and conv_transpose2d) in most calls when a convolution's output channels
/// are not a multiple of 16, e.g. the second conv of a quarter-width SimpleCnn (docs/platform.md). TorchSharp
/// 0.107.0 has no switch for it, so this calls <c>at::globalContext().setUserEnabledMkldnn(false)</c> directly;
/// the ATen kernels that run instead agree with a double-precision reference.
/// </summary>
public static class OneDnn
{
    private static readonly Lazy<bool> Disabled = new(DisableOnce, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Idempotent; call before the first convolution of a training.</summary>
    public static void Disable()
    {
        _ = Disabled.Value;
    }

    /// <summary>Whether libtorch would currently pick oneDNN for CPU convolutions (false after <see cref="Disable"/>).</summary>
    public static bool Enabled()
    {
        torch.InitializeDeviceType(DeviceType.CPU);
        return OperatingSystem.IsLinux() && UserEnabledMkldnn(GlobalContext());
    }

    private static bool DisableOnce()
    {
        torch.InitializeDeviceType(DeviceType.CPU);
        // The entry points are the Itanium-mangled C++ names, so Linux only; other platforms keep libtorch's defaults.
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            SetUserEnabledMkldnn(GlobalContext(), false);
        }
        catch (EntryPointNotFoundException e)
        {
            throw new InvalidOperationException($"libtorch_cpu: cannot switch oneDNN off ({e.Message}); the libtorch build differs from the pinned libtorch 2.10.0", e);
        }
        return true;
    }

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);

    [DllImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.I1)]
    private static extern bool UserEnabledMkldnn(IntPtr context);
}
