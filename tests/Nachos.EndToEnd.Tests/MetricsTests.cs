using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Nachos.Host.Api;
using Nachos.Host.Contract;

namespace Nachos.EndToEnd.Tests;

/// <summary>/metrics in the Prometheus text format, its counts checked against the queue's view of the study.</summary>
public sealed partial class MetricsTests(ApiNode node) : IClassFixture<ApiNode>
{
    [GeneratedRegex("""^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? (\S+)$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)""")]
    private static partial Regex Label();

    private sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    /// <summary>Parses every line strictly: comments are HELP or TYPE, every sample belongs to a declared family.</summary>
    private static List<Sample> Parse(string text)
    {
        var samples = new List<Sample>();
        var families = new HashSet<string>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                Assert.True(parts.Length >= 4 && parts[1] is "HELP" or "TYPE", $"bad comment line: {line}");
                if (parts[1] == "TYPE")
                {
                    Assert.Contains(parts[3], new[] { "gauge", "counter", "histogram" });
                    families.Add(parts[2]);
                }
                continue;
            }
            var m = SampleLine().Match(line);
            Assert.True(m.Success, $"not a sample line: {line}");
            var name = m.Groups[1].Value;
            Assert.True(families.Contains(name) || families.Contains(Regex.Replace(name, "_(bucket|sum|count)$", "")), $"{name} has no # TYPE");
            var labels = Label().Matches(m.Groups[2].Value).ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value);
            var value = m.Groups[3].Value == "+Inf" ? double.PositiveInfinity : double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
            samples.Add(new Sample(name, labels, value));
        }
        return samples;
    }

    [Fact]
    public async Task Metrics_parse_and_their_task_counts_match_the_queue()
    {
        Assert.Equal(HttpStatusCode.Created, (await node.Submit(ApiNode.Spec("counted", 0.01))).StatusCode);
        var study = await node.WaitFor("counted", s => StudyStates.IsFinal(s.State), TimeSpan.FromMinutes(3));
        Assert.Equal(StudyStates.Complete, study.State);

        using var response = await node.Http.GetAsync("metrics");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var samples = Parse(await response.Content.ReadAsStringAsync());
        double One(string name, params (string Key, string Value)[] labels) =>
            Assert.Single(samples, s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Key) == l.Value)).Value;

        // The queue's per-task view of the study (GET /api/studies/{id}) against the metrics' per-study counts.
        Assert.Equal(study.Folds.Sum(f => f.Succeeded), One("nachos_tasks", ("state", "completed")));
        Assert.Equal(study.Folds.Sum(f => f.Failed), One("nachos_tasks", ("state", "failed")));
        Assert.Equal(study.Folds.Sum(f => f.Pending), One("nachos_tasks", ("state", "queued")));
        Assert.Equal(study.Folds.Sum(f => f.Running), One("nachos_tasks", ("state", "running")));
        Assert.Equal(ApiNode.Tasks(), One("nachos_tasks", ("state", "completed")));

        // One attempt per task on this one node, each in a bucket; buckets are cumulative.
        var buckets = samples.Where(s => s.Name == "nachos_task_duration_seconds_bucket" && s.Labels["outcome"] == "succeeded").ToList();
        Assert.Equal(buckets.Select(b => b.Value).Order(), buckets.Select(b => b.Value));
        Assert.Equal("+Inf", buckets[^1].Labels["le"]);
        Assert.Equal(ApiNode.Tasks(), buckets[^1].Value);
        Assert.Equal(ApiNode.Tasks(), One("nachos_task_duration_seconds_count", ("outcome", "succeeded")));
        Assert.InRange(One("nachos_task_duration_seconds_sum", ("outcome", "succeeded")), 0.01, 60);

        // Each task was queued and completed: at least two journal writes per task.
        Assert.True(One("nachos_journal_write_seconds_count") >= 2 * ApiNode.Tasks());
        Assert.True(One("nachos_journal_write_seconds_sum") > 0);

        var ratios = samples.Where(s => s.Name == "nachos_device_busy_ratio").ToList();
        Assert.Equal(["cpu0", "cpu1"], ratios.Select(r => r.Labels["device"]).Order());
        Assert.All(ratios, r => Assert.InRange(r.Value, 0.0, 1.0));
        Assert.True(samples.Where(s => s.Name == "nachos_device_busy_seconds_total").Sum(s => s.Value) > 0);
    }
}
