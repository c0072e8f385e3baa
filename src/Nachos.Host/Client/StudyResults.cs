using System.Text.Json;
using Nachos.Host.Contract;
using Nachos.Shared.Study;

namespace Nachos.Host.Client;

/// <summary>A finished study's result in words, asked of the API (report format <c>result</c>).</summary>
public static class StudyResults
{
    /// <returns>Null when the coordinator cannot state it (the spec or plan unreadable there, or a build without the format).</returns>
    public static async Task<ResultText?> Get(ApiClient client, string id)
    {
        try
        {
            return JsonSerializer.Deserialize<ResultText>(await client.GetText($"api/studies/{ClientAction.Segment(id)}/report?format=result"), ApiJson.Options);
        }
        catch (Exception e) when (e is ApiException or JsonException)
        {
            return null;
        }
    }
}
