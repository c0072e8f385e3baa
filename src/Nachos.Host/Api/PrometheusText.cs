using System.Globalization;
using System.Text;
using Nachos.Shared.Monitoring;

namespace Nachos.Host.Api;

/// <summary>Writes metrics in the Prometheus text exposition format (version 0.0.4).</summary>
public sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new();

    public PrometheusText Family(string name, string type, string help)
    {
        _text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\").Replace("\n", "\\n")).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    public PrometheusText Sample(string name, double value, params (string Name, string Value)[] labels)
    {
        _text.Append(name);
        if (labels.Length > 0)
            _text.Append('{').AppendJoin(',', labels.Select(l => $"{l.Name}=\"{Escape(l.Value)}\"")).Append('}');
        _text.Append(' ').Append(Number(value)).Append('\n');
        return this;
    }

    /// <summary>A histogram's cumulative buckets (le = upper bound, +Inf last), its sum and its count.</summary>
    public PrometheusText Histogram(string name, HistogramSnapshot h, params (string Name, string Value)[] labels)
    {
        long cumulative = 0;
        for (var i = 0; i < h.Counts.Count; i++)
        {
            cumulative += h.Counts[i];
            var le = i < h.Bounds.Count ? Number(h.Bounds[i]) : "+Inf";
            Sample(name + "_bucket", cumulative, [.. labels, ("le", le)]);
        }
        Sample(name + "_sum", h.Sum, labels);
        return Sample(name + "_count", h.Count, labels);
    }

    public override string ToString() => _text.ToString();

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    private static string Number(double v) =>
        double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : double.IsNaN(v) ? "NaN" : v.ToString("R", CultureInfo.InvariantCulture);
}
