using Nachos.Host.Contract;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Host.Dashboard;

/// <summary>
/// The served pages that exist before a report does: the campaign's studies (<see cref="LiveStudiesPage"/>), and a
/// running (or paused, or cancelled) study's progress per outer fold with its trials so far (<see cref="LiveStudyPage"/>).
/// The studies list updates itself every two seconds; a study's page does until the study ends.
/// </summary>
public static class LivePages
{
    public const int LiveSeconds = 2;

    public static string Studies(IReadOnlyList<StudySummary> studies) =>
        PageRenderer.Render<LiveStudiesPage>(new Dictionary<string, object?> { [nameof(LiveStudiesPage.Studies)] = studies });

    /// <param name="progress">Tasks ended per outer fold, and the running tasks with their latest finished epoch.</param>
    /// <param name="models">The models whose tasks have succeeded so far: their pages are linked.</param>
    public static string Study(StudyDetail study, StudyProgressView progress, IReadOnlyList<TrialInfo> trials, IReadOnlyList<TaskAddress> models, IPageLinks links) =>
        PageRenderer.Render<LiveStudyPage>(new Dictionary<string, object?>
        {
            [nameof(LiveStudyPage.Study)] = study,
            [nameof(LiveStudyPage.Progress)] = progress,
            [nameof(LiveStudyPage.Trials)] = trials,
            [nameof(LiveStudyPage.Models)] = models,
            [nameof(LiveStudyPage.Links)] = links,
        });
}
