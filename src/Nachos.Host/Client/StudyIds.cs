using System.CommandLine;
using System.CommandLine.Completions;
using Nachos.Host.Contract;

namespace Nachos.Host.Client;

/// <summary>
/// A command's study id argument, which Tab completes (in the shell) with the ids of the studies the API at --host lists,
/// the ones <c>study list</c> shows; nothing when the API cannot be reached, refuses, or does not answer (within a second) with a list.
/// </summary>
public static class StudyIds
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(1);

    public static Argument<string> Argument(string name, string description)
    {
        var argument = new Argument<string>(name) { Description = description };
        argument.CompletionSources.Add(Complete);
        return argument;
    }

    private static IEnumerable<CompletionItem> Complete(CompletionContext context)
    {
        try
        {
            using var client = ApiClient.From(context.ParseResult);
            var studies = client.Get<List<StudySummary>>("api/studies").WaitAsync(Patience).GetAwaiter().GetResult();
            return studies.Select(s => new CompletionItem(s.Id)).ToList();
        }
        catch (Exception e) when (e is ApiException or TimeoutException or HttpRequestException or System.Text.Json.JsonException)
        {
            return [];
        }
    }
}
