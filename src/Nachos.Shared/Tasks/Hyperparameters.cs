using System.Collections.Immutable;
using System.Globalization;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Tasks;

/// <summary>
/// One configuration chosen by a sampler: tunable name → value (numbers in invariant culture).
/// Applied on top of the spec's model and training sections.
/// </summary>
public sealed record Hyperparameters(ImmutableSortedDictionary<string, string> Values)
{
    public static readonly Hyperparameters Empty = new(ImmutableSortedDictionary<string, string>.Empty);

    /// <summary>Every name a search space may tune; those with <see cref="AllowedValues"/> take categorical values only.</summary>
    public static readonly IReadOnlySet<string> Tunable = new HashSet<string>
    {
        "learning_rate", "momentum", "weight_decay", "batch_size", "width", "focal_gamma",
        "optimizer", "nesterov", "architecture", "loss", "lr_schedule",
        "depth", "residual", "tversky_alpha", "tversky_beta", "tversky_gamma", "augmentation_policy",
    };

    /// <summary>Equal when they hold the same names and values (the dictionary itself compares by reference).</summary>
    public bool Equals(Hyperparameters? other) => other is not null && Values.Count == other.Values.Count &&
        Values.All(kv => other.Values.TryGetValue(kv.Key, out var v) && v == kv.Value);

    public override int GetHashCode() => Values.Aggregate(17, (h, kv) => HashCode.Combine(h, kv.Key, kv.Value));

    public Hyperparameters With(string name, string value) => new(Values.SetItem(name, value));

    public Hyperparameters With(string name, double value) => With(name, value.ToString("R", CultureInfo.InvariantCulture));

    public override string ToString() => string.Join(", ", Values.Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>For people: numbers to four significant digits.</summary>
    public string Display() => string.Join(", ", Values.Select(kv => $"{kv.Key}={Show(kv.Value)}"));

    /// <summary>One value for people: a number to four significant digits, anything else as it is.</summary>
    public static string Show(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v.ToString("G4", CultureInfo.InvariantCulture) : value;

    public (ModelSpec Model, TrainingSpec Training) ApplyTo(ModelSpec model, TrainingSpec training)
    {
        foreach (var (name, value) in Values)
        {
            switch (name)
            {
                case "learning_rate": training = training with { LearningRate = Num(value) }; break;
                case "momentum": training = training with { Momentum = Num(value) }; break;
                case "weight_decay": training = training with { WeightDecay = Num(value) }; break;
                case "batch_size": training = training with { BatchSize = (int)Math.Round(Num(value)) }; break;
                case "focal_gamma": training = training with { FocalGamma = Num(value) }; break;
                case "width": model = model with { Width = Num(value) }; break;
                case "optimizer": training = training with { Optimizer = SpecNames.Optimizers[value] }; break;
                case "nesterov": training = training with { Nesterov = value == "true" }; break;
                case "loss": training = training with { Loss = SpecNames.Losses[value] }; break;
                case "lr_schedule": training = training with { Schedule = training.Schedule with { Kind = SpecNames.Schedules[value] } }; break;
                case "architecture": model = model with { Architecture = SpecNames.Architectures[value] }; break;
                case "depth": model = model with { Depth = (int)Math.Round(Num(value)) }; break;
                case "residual": model = model with { Residual = value == "true" }; break;
                case "tversky_alpha": training = training with { TverskyAlpha = Num(value) }; break;
                case "tversky_beta": training = training with { TverskyBeta = Num(value) }; break;
                case "tversky_gamma": training = training with { TverskyGamma = Num(value) }; break;
                case "augmentation_policy":
                    training = training with { Augmentation = training.Augmentation with { Policy = SpecNames.AugmentationPolicies[value] } };
                    break;
                default: throw new ArgumentException($"'{name}' is not a tunable hyperparameter");
            }
        }
        return (model, training);
    }

    private static double Num(string v) => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>The categorical values a tunable name accepts (null: numeric).</summary>
    public static IReadOnlyCollection<string>? AllowedValues(string name) => name switch
    {
        "optimizer" => SpecNames.Optimizers.Keys.ToArray(),
        "nesterov" or "residual" => ["true", "false"],
        "loss" => SpecNames.Losses.Keys.ToArray(),
        "lr_schedule" => SpecNames.Schedules.Keys.ToArray(),
        "architecture" => SpecNames.Architectures.Keys.ToArray(),
        "augmentation_policy" => SpecNames.AugmentationPolicies.Keys.ToArray(),
        _ => null,
    };
}
