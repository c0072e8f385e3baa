using System.Runtime.InteropServices;
using TorchSharp;

namespace Nachos.Training.Torch;

/// <summary>
/// Keeps libtorch's CPU convolutions on ATen's own kernels. oneDNN (mkldnn) 3.7.1 in libtorch-cpu 2.10.0 returns
/// wrong or NaN input gradients (conv backward-data, and conv_transpose2d) in most calls when a convolution's output
/// channels are not a multiple of 16, e.g. the second conv of a quarter-width SimpleCnn (docs/platform.md).
/// NNPACK goes too: without oneDNN, ATen tries it on every convolution and, on CPUs it does not support, logs
/// "Could not initialize NNPACK" to stderr each time, burying a training's real error lines.
/// TorchSharp 0.107.0 has no switch for either, so this calls at::globalContext()'s setters directly.
/// </summary>
public static class CpuConvolutions
{
    private static readonly Lazy<bool> Applied = new(ApplyOnce, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Idempotent; call before the first convolution of a training.</summary>
    public static void UseAtenKernels()
    {
        _ = Applied.Value;
    }

    /// <summary>Whether libtorch may currently pick oneDNN for CPU convolutions (false after <see cref="UseAtenKernels"/>).</summary>
    public static bool OneDnnEnabled()
    {
        torch.InitializeDeviceType(DeviceType.CPU);
        return OperatingSystem.IsLinux() && UserEnabledMkldnn(GlobalContext());
    }

    private static bool ApplyOnce()
    {
        torch.InitializeDeviceType(DeviceType.CPU);
        // The entry points are Itanium-mangled C++ names, so Linux only; other platforms keep libtorch's defaults.
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            var context = GlobalContext();
            SetUserEnabledMkldnn(context, false);
            SetUserEnabledNnpack(context, false);
        }
        catch (EntryPointNotFoundException e)
        {
            throw new InvalidOperationException($"libtorch_cpu: cannot choose the CPU convolution kernels ({e.Message}); the libtorch build differs from the pinned libtorch 2.10.0", e);
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

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);
}
