namespace Nachos.Host.Running;

/// <summary>The device slots of <c>--devices</c>: auto, cpu:N or cuda:0,1.</summary>
public static class DeviceList
{
    /// <returns>Slot names (cpu0 …, cuda0 …), or null when the value is not understood.</returns>
    public static IReadOnlyList<string>? Parse(string value)
    {
        if (value == "auto") return Auto();
        if (value.StartsWith("cpu:", StringComparison.Ordinal))
            return int.TryParse(value[4..], out var n) && n >= 1 ? Enumerable.Range(0, n).Select(d => $"cpu{d}").ToList() : null;
        if (value.StartsWith("cuda:", StringComparison.Ordinal))
        {
            var ids = value[5..].Split(',', StringSplitOptions.TrimEntries);
            return ids.All(i => int.TryParse(i, out var d) && d >= 0) && ids.Distinct().Count() == ids.Length
                ? ids.Select(i => $"cuda{int.Parse(i)}").ToList()
                : null;
        }
        return null;
    }

    /// <summary>One slot per NVIDIA GPU the driver exposes (honouring CUDA_VISIBLE_DEVICES), else one CPU slot.</summary>
    private static IReadOnlyList<string> Auto()
    {
        var visible = Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES");
        var gpus = Directory.Exists("/dev") ? Directory.GetFiles("/dev", "nvidia*").Count(f => char.IsDigit(f[^1])) : 0;
        if (visible is { Length: > 0 }) gpus = Math.Min(gpus, visible.Split(',').Length);
        return gpus > 0 ? Enumerable.Range(0, gpus).Select(d => $"cuda{d}").ToList() : ["cpu0"];
    }
}
