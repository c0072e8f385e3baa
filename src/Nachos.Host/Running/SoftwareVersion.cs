using System.Reflection;
using System.Runtime.InteropServices;

namespace Nachos.Host.Running;

/// <summary>The software a study runs with, as its run directory records it (software.txt).</summary>
public static class SoftwareVersion
{
    public static string Line { get; } =
        $"nachos {typeof(SoftwareVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown"}; "
        + $"{RuntimeInformation.FrameworkDescription}; TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}";
}
