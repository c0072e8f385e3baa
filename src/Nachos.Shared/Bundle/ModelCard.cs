using System.Globalization;
using System.Text;
using System.Text.Json;
using Nachos.Shared.Files;
using Nachos.Shared.Metrics;

namespace Nachos.Shared.Bundle;

/// <summary>
/// The model card of a bundle, in Markdown (model-card.md) and JSON (model-card.json), both made from bundle.json only:
/// what the model is, what it was trained on, how well it is expected to do and how that was estimated, how to feed it
/// and read it, and its provenance.
/// </summary>
public static class ModelCard
{
    public static string Markdown(BundleManifest m)
    {
        var s = new StringBuilder();
        s.AppendLine($"# Model card: {m.Source.Study} ({m.Source.TaskId})").AppendLine();
        s.AppendLine("## Model").AppendLine();
        s.AppendLine($"- Task: {m.Task}; classes: {string.Join(", ", m.Classes)}");
        if (m.Network is { } n)
        {
            s.AppendLine($"- Network: {n.Architecture}, width {Num(n.Width)}{(m.Task == "segmentation" ? $", depth {n.Depth}{(n.Residual ? ", residual" : "")}" : "")}, {n.Outputs} output(s), {n.Activation}");
            s.AppendLine($"- Hyperparameters: {(n.Hyperparameters.Count == 0 ? "the spec's own" : string.Join(", ", n.Hyperparameters.Select(kv => $"{kv.Key}={kv.Value}")))}");
        }
        else
            s.AppendLine($"- Members: {string.Join("; ", m.Members!.Select(x => $"outer fold {x.OuterFold}'s refit ({x.Path}, its own model card)"))}; "
                         + "each predicts with its own network and its own normalisation statistics, and their probabilities are averaged");
        s.AppendLine($"- Trained as: {Trained(m)}");
        s.AppendLine($"- Decision: threshold {Num(m.Decision.Threshold)} ({m.Decision.Rule})").AppendLine();
        s.AppendLine("## Expected performance").AppendLine();
        s.AppendLine($"{m.ExpectedPerformance.Source}; {m.ExpectedPerformance.Folds} outer fold(s){(m.ExpectedPerformance.Complete ? "" : " (the study's report is INCOMPLETE)")}. "
                     + "Never a figure measured on the model's own training data.").AppendLine();
        s.AppendLine("| metric | mean | 95 % CI (t, across folds) | patient bootstrap 95 % CI | per fold |");
        s.AppendLine("|---|---|---|---|---|");
        foreach (var e in m.ExpectedPerformance.Metrics)
            s.AppendLine($"| {e.Metric} | {Show(e.Mean)} | {Range(e.CiLow, e.CiHigh)} | {Range(e.BootstrapLow, e.BootstrapHigh)} | {string.Join(", ", e.PerFold.Select(Show))} |");
        s.AppendLine().AppendLine("## Data").AppendLine();
        s.AppendLine($"- Dataset: {m.Dataset.Format}, {m.Dataset.Samples} images; this model trained on {m.Dataset.TrainedOn}");
        s.AppendLine($"- Dataset content key: `{m.Dataset.ContentKey}`");
        s.AppendLine($"- Split plan hash: `{m.SplitPlanHash}`").AppendLine();
        s.AppendLine("## Input").AppendLine();
        if (m.Preprocessing is { } p)
        {
            s.AppendLine($"- Images decoded to {p.Channels} channel(s) in [0, 1], resized bilinearly to {p.Height}×{p.Width}");
            s.AppendLine($"- Normalised per channel with the training set's mean {Floats(p.Mean)} and standard deviation {Floats(p.Std)}").AppendLine();
        }
        else s.AppendLine("- Each member's own (its model card): the same decoding, each member's own training set's normalisation statistics").AppendLine();
        s.AppendLine("## Provenance").AppendLine();
        s.AppendLine($"- Software: {m.Software}");
        s.AppendLine($"- Seeds: study {m.Seeds.Study}{(m.Seeds.Task is { } t ? $", task {t}" : "; each member's task seed in its model card")}");
        s.AppendLine($"- Trained on device {m.Hardware.TrainedOn}; bundled on {m.Hardware.Host} ({m.Hardware.Os}, {m.Hardware.ProcessorCount} CPUs)");
        s.AppendLine($"- Bundle created {m.Created.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, format {m.Format}; weights SHA-256 `{m.WeightsIdentity}`{(m.IsEnsemble ? " (of its members' SHA-256s)" : "")}").AppendLine();
        s.AppendLine("## Limitations").AppendLine();
        s.AppendLine("- The estimate holds for data like the study's dataset; check it on data from each new site, scanner or population before use.");
        s.AppendLine(m.IsEnsemble
            ? "- A fold ensemble: the estimate is the NACHOS estimate of its members, the outer folds' refits, each evaluated alone on its own outer test fold; "
              + "the averaged ensemble itself is not evaluated on held-out data (every image trained some member), as for a model trained on all data."
            : m.Source.OuterFold is { } k
            ? $"- This is outer fold {k}'s refit: it trained on the outer-train set of fold {k}, not on all data."
            : "- Trained on all data: the estimate comes from the outer folds' refits, not from this model.");
        return s.ToString();
    }

    public static string Json(BundleManifest m) => JsonSerializer.Serialize(new
    {
        model = new
        {
            study = m.Source.Study,
            task_id = m.Source.TaskId,
            task = m.Task,
            classes = m.Classes,
            architecture = m.Network?.Architecture,
            width = m.Network?.Width,
            depth = m.Network?.Depth,
            hyperparameters = m.Network?.Hyperparameters,
            members = m.Members,
            trained_as = Trained(m),
            decision = m.Decision,
        },
        expected_performance = m.ExpectedPerformance,
        data = new { m.Dataset.Format, m.Dataset.Samples, m.Dataset.TrainedOn, m.Dataset.ContentKey, split_plan_hash = m.SplitPlanHash },
        input = m.Preprocessing,
        provenance = new { software = m.Software, seeds = m.Seeds, hardware = m.Hardware, created = m.Created, format = m.Format, weights_sha256 = m.WeightsIdentity },
    }, FileJson.Options) + "\n";

    private static string Trained(BundleManifest m) =>
        m.IsEnsemble ? $"fold ensemble of {m.Members!.Count} outer folds' refits, each on its outer-train set; probabilities averaged, decision threshold applied to the mean"
        : m.Source.OuterFold is { } k ? $"outer fold {k}'s refit on its outer-train set" : "final model on all data";

    private static string Num(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
    private static string Show(double? v) => MetricText.Show(v);
    private static string Range(double? low, double? high) => low is null || high is null ? "n/a" : $"{Show(low)}–{Show(high)}";
    private static string Floats(IReadOnlyList<float> v) => "[" + string.Join(", ", v.Select(f => f.ToString("R", CultureInfo.InvariantCulture))) + "]";
}
