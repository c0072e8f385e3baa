using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Tasks;

/// <summary>
/// Where a training task belongs, the one owner of the task id format and of the task's folder below the run
/// directory. A study's tasks: inner split <c>j</c> of trial <c>n</c> of outer fold <c>k</c>
/// (<c>study/o{k}/t{n}/s{j}</c>), the outer fold's refit (<c>study/o{k}/refit</c>) and the stress test of that refit on the outer
/// test fold (<c>study/o{k}/stress</c>, docs/robustness.md); under a scheduler, the same split trained
/// only up to a rung of <c>B</c> epochs is <c>study/o{k}/t{n}/s{j}/e{B}</c> (same folder: the next rung continues its checkpoint). <c>nachos train</c>'s
/// trainings outside a search: inner split <c>j</c> of fold <c>k</c> (<c>study/o{k}/s{j}</c>) and inner split 0
/// then the outer test fold (<c>study/o{k}/train</c>). The folder is the id below the study name.
/// </summary>
public sealed record TaskAddress : IComparable<TaskAddress>
{
    private const string Expected = "expected study/o{k}/t{n}/s{j}, study/o{k}/t{n}/s{j}/e{epochs} study/o{k}/refit or study/o{k}/stress";

    private TaskAddress(string study, int outer, int? trial, int? split, bool isRefit, int? budget = null, bool isStress = false)
    {
        IsStress = isStress;
        if (!StudyName.IsValid(study)) throw new ArgumentException($"'{study}' is not a study name", nameof(study));
        if (outer < 0 || trial < 0 || split < 0)
            throw new ArgumentOutOfRangeException(nameof(outer), $"{study}: fold, trial and split indices must be non-negative (o{outer}, t{trial}, s{split})");
        Study = study;
        Outer = outer;
        Trial = trial;
        Split = split;
        IsRefit = isRefit;
        if (budget is < 1) throw new ArgumentOutOfRangeException(nameof(budget), $"{study}: an epoch budget must be at least 1 (e{budget})");
        Budget = budget;
    }

    public string Study { get; }
    public int Outer { get; }

    /// <summary>The trial of an inner-split task; null for a refit and for <c>nachos train</c>'s trainings.</summary>
    public int? Trial { get; }

    /// <summary>The inner split; null for a refit and for <c>o{k}/train</c>.</summary>
    public int? Split { get; }

    public bool IsRefit { get; }

    /// <summary>The stress test of the outer fold's refit (<c>study/o{k}/stress</c>): an evaluation, not a training.</summary>
    public bool IsStress { get; }

    /// <summary>A scheduler's rung: train only up to this many epochs (null: to the task's max epochs).</summary>
    public int? Budget { get; }

    /// <summary>The same training without its rung budget: what its checkpoint belongs to.</summary>
    public TaskAddress Training => Budget is null ? this : new(Study, Outer, Trial, Split, IsRefit, null, IsStress);

    /// <summary>A task of a study's search (a trial's inner split or a refit), not one of <c>nachos train</c>'s own.</summary>
    public bool IsStudyTask => IsRefit || IsStress || Trial is not null;

    public static TaskAddress InnerSplit(string study, int outer, int trial, int split, int? budget = null) => new(study, outer, trial, split, false, budget);

    public static TaskAddress Refit(string study, int outer) => new(study, outer, null, null, true);

    /// <summary>The stress test of outer fold <paramref name="outer"/>'s refit (<c>study/o{k}/stress</c>).</summary>
    public static TaskAddress Stress(string study, int outer) => new(study, outer, null, null, false, null, true);

    /// <summary><c>nachos train</c> without a search: inner split <paramref name="split"/> (<c>o{k}/s{j}</c>), or none (<c>o{k}/train</c>).</summary>
    public static TaskAddress Standalone(string study, int outer, int? split) => new(study, outer, null, split, false);

    /// <summary>The outer fold entity's id, <c>study/o{k}</c>.</summary>
    public static string FoldId(string study, int outer) => $"{study}/{FoldFolder(outer)}";

    /// <summary>The trial entity's id, <c>study/o{k}/t{n}</c>.</summary>
    public static string TrialId(string study, int outer, int trial) => $"{study}/{TrialFolder(outer, trial)}";

    /// <summary>An outer fold's folder below the run directory, <c>o{k}</c>.</summary>
    public static string FoldFolder(int outer) => $"o{outer}";

    /// <summary>A trial's folder below the run directory, <c>o{k}/t{n}</c> (it holds the trial's inner-split folders).</summary>
    public static string TrialFolder(int outer, int trial) => $"{FoldFolder(outer)}/t{trial}";

    /// <summary>The entity waiting for this task: its trial, or the outer fold (a refit, a stress test).</summary>
    public string OwnerId => Trial is { } n ? TrialId(Study, Outer, n) : FoldId(Study, Outer);

    /// <summary>The task's folder below the run directory, with '/' separators: the id without the study name.</summary>
    public string Folder =>
        IsRefit ? $"{FoldFolder(Outer)}/refit"
        : IsStress ? $"{FoldFolder(Outer)}/stress"
        : Trial is { } n ? $"{TrialFolder(Outer, n)}/s{Split}"
        : Split is { } j ? $"{FoldFolder(Outer)}/s{j}"
        : $"{FoldFolder(Outer)}/train";

    /// <summary>The task id.</summary>
    public override string ToString() => Budget is { } b ? $"{Study}/{Folder}/e{b}" : $"{Study}/{Folder}";

    /// <exception cref="FormatException">The id is not a task id; the message says what is wrong.</exception>
    public static TaskAddress Parse(string id) =>
        TryParse(id, out var address, out var error) ? address : throw new FormatException(error);

    public static bool TryParse(string? id, [NotNullWhen(true)] out TaskAddress? address) => TryParse(id, out address, out _);

    /// <summary>Reads a task id; on failure <paramref name="error"/> names the id and what is wrong with it.</summary>
    public static bool TryParse(string? id, [NotNullWhen(true)] out TaskAddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        var parts = (id ?? "").Split('/');
        error = parts.Length switch
        {
            _ when id is null => "no task id",
            < 3 or > 5 => $"task id '{id}': {parts.Length} segments, {Expected}",
            _ when !StudyName.IsValid(parts[0]) => $"task id '{id}': '{parts[0]}' is not a study name (a letter or digit, then letters, digits, '-', '_' or '.')",
            _ => null,
        };
        if (error is not null) return false;
        if (!Index(id!, parts[1], 'o', "outer fold", out var outer, out error)) return false;
        if (parts.Length >= 4)
        {
            if (!Index(id!, parts[2], 't', "trial", out var trial, out error) || !Index(id!, parts[3], 's', "inner split", out var split, out error)) return false;
            int? budget = null;
            if (parts.Length == 5)
            {
                if (!Index(id!, parts[4], 'e', "epoch budget", out var b, out error)) return false;
                if (b < 1)
                {
                    error = $"task id '{id}': an epoch budget must be at least 1";
                    return false;
                }
                budget = b;
            }
            address = InnerSplit(parts[0], outer, trial, split, budget);
            return true;
        }
        switch (parts[2])
        {
            case "refit":
                address = Refit(parts[0], outer);
                return true;
            case "stress":
                address = Stress(parts[0], outer);
                return true;
            case "train":
                address = Standalone(parts[0], outer, null);
                return true;
        }
        if (!parts[2].StartsWith('s'))
        {
            error = $"task id '{id}': '{parts[2]}' is neither refit, stress nor a trial, {Expected}";
            return false;
        }
        if (!Index(id!, parts[2], 's', "inner split", out var alone, out error)) return false;
        address = Standalone(parts[0], outer, alone);
        return true;
    }

    /// <summary>The address of a task folder (<see cref="Folder"/>) of <paramref name="study"/>, or null when it names none.</summary>
    public static TaskAddress? FromFolder(string study, string folder) => TryParse($"{study}/{folder}", out var a) ? a : null;

    /// <summary>Whether a folder name below the run directory is an outer fold's (<c>o{k}</c>).</summary>
    public static bool IsFoldFolder(string name) => Index(name, name, 'o', "outer fold", out _, out _);

    // A letter, then a non-negative index in canonical decimal (no sign, no leading zero), so ids round-trip.
    private static bool Index(string id, string segment, char letter, string what, out int value, [NotNullWhen(false)] out string? error)
    {
        value = 0;
        error = null;
        var digits = segment.Length > 0 && segment[0] == letter ? segment[1..] : null;
        if (digits is { Length: > 0 and <= 9 } && digits.All(char.IsAsciiDigit) && (digits.Length == 1 || digits[0] != '0'))
        {
            value = int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
            return true;
        }
        error = $"task id '{id}': '{segment}' is not {what} '{letter}' followed by a non-negative index, {Expected}";
        return false;
    }

    /// <summary>Study, outer fold, then a fold's trials in order with their splits (rungs before the full training), then its refit, then its stress test.</summary>
    public int CompareTo(TaskAddress? other) =>
        other is null ? 1
        : string.CompareOrdinal(Study, other.Study) is var s and not 0 ? s
        : Outer != other.Outer ? Outer.CompareTo(other.Outer)
        : IsStress != other.IsStress ? IsStress.CompareTo(other.IsStress)
        : IsRefit != other.IsRefit ? IsRefit.CompareTo(other.IsRefit)
        : Trial != other.Trial ? Nullable.Compare(Trial, other.Trial)
        : Split != other.Split ? Nullable.Compare(Split, other.Split)
        : (Budget ?? int.MaxValue).CompareTo(other.Budget ?? int.MaxValue);
}
