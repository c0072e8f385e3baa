namespace Nachos.Shared.Study;

public abstract record StudyEvent;
public sealed record StudyStarted(string StudyId, int Folds) : StudyEvent;
public sealed record FoldReported(FoldResult Result) : StudyEvent;
/// <summary>The study's end, with its report: built once from the refits' predictions and kept in the journal, so a later start republishes it unchanged.</summary>
public sealed record StudyFinished(bool Succeeded, string Summary, StudyReport? Report = null) : StudyEvent;

/// <summary>A study: one outer fold per fold of the plan; finished when every fold has reported.</summary>
public sealed record StudyState(StudyStarted? Start, IReadOnlyDictionary<int, FoldResult> Folds, StudyFinished? Finish)
{
    public static readonly StudyState Empty = new(null, new Dictionary<int, FoldResult>(), null);

    public bool AllReported => Start is { } s && Folds.Count == s.Folds;

    public StudyState Apply(StudyEvent e) => e switch
    {
        StudyStarted s => this with { Start = s },
        FoldReported f => this with { Folds = new Dictionary<int, FoldResult>(Folds) { [f.Result.Outer] = f.Result } },
        StudyFinished f => this with { Finish = f },
        _ => this,
    };
}
