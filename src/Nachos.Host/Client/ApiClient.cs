using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Nachos.Host.Cli;
using Nachos.Host.Contract;

namespace Nachos.Host.Client;

/// <summary>
/// The CLI's connection to a coordinator's control API. Refusals become <see cref="ApiException"/>s naming
/// what went wrong and the exit code: unreachable host 3, bad token 4, unknown study 5, bad request 2,
/// refused in the current state (409) 1.
/// </summary>
public sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;

    public ApiClient(string host, string? token)
    {
        var baseUri = host.Contains("://", StringComparison.Ordinal) ? host : "http://" + host;
        if (!Uri.TryCreate(baseUri.TrimEnd('/') + "/", UriKind.Absolute, out var uri))
            throw new ApiException(ExitCodes.BadInput, $"--host {host}: expected host:port");
        _http = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        HasToken = token is not null;
    }

    public Uri BaseAddress => _http.BaseAddress!;
    public bool HasToken { get; }

    /// <summary>From the global options: --host (NACHOS_API), --token (NACHOS_TOKEN) or the token file of --root (NACHOS_ROOT).</summary>
    public static ApiClient From(ParseResult r)
    {
        var host = OptionOrEnvironment.Text(r, GlobalOptions.Host, "NACHOS_API") ?? "127.0.0.1:5080";
        var root = OptionOrEnvironment.Text(r, GlobalOptions.Root, "NACHOS_ROOT");
        try
        {
            var token = OptionOrEnvironment.Text(r, GlobalOptions.Token, "NACHOS_TOKEN") ?? (root is null ? null : ApiToken.Read(root));
            return new ApiClient(host, token);
        }
        catch (ApiTokenException e)
        {
            throw new ApiException(ExitCodes.BadInput, e.Message);
        }
    }

    public async Task<T> Get<T>(string path) => await Read<T>(await Send(HttpMethod.Get, path, null));

    public async Task<string> GetText(string path) => await (await Send(HttpMethod.Get, path, null)).Content.ReadAsStringAsync();

    public async Task<T> Post<T>(string path, object? body = null) => await Read<T>(await Send(HttpMethod.Post, path, body));

    private static async Task<T> Read<T>(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<T>(ApiJson.Options) ?? throw new ApiException(ExitCodes.Failed, "the API sent an empty answer");

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: ApiJson.Options);
        else if (method == HttpMethod.Post) request.Content = JsonContent.Create(new { }, options: ApiJson.Options);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new ApiException(ExitCodes.Unreachable,
                $"cannot reach the nachos API at {BaseAddress} ({e.Message}); is a coordinator node running there? (`nachos node` prints 'api: URL'; pass --host HOST:PORT)");
        }
        if (response.IsSuccessStatusCode) return response;
        var detail = await Detail(response);
        throw response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new ApiException(ExitCodes.Unauthorized, HasToken
                ? $"the API at {BaseAddress} refused the token ({detail})"
                : $"the API at {BaseAddress} needs a token: --token, NACHOS_TOKEN or --root CAMPAIGN_DIR (its api-token file)"),
            HttpStatusCode.NotFound => new ApiException(ExitCodes.NotFound, detail),
            HttpStatusCode.Conflict => new ApiException(ExitCodes.Failed, detail),
            HttpStatusCode.ServiceUnavailable => new ApiException(ExitCodes.Failed, $"the cluster cannot answer now: {detail}"),
            _ when (int)response.StatusCode < 500 => new ApiException(ExitCodes.BadInput, detail),
            _ => new ApiException(ExitCodes.Failed, $"the API failed ({(int)response.StatusCode}): {detail}"),
        };
    }

    /// <summary>The problem document's detail (or title), else the status line.</summary>
    private static async Task<string> Detail(HttpResponseMessage response)
    {
        try
        {
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (doc.RootElement.TryGetProperty("detail", out var d) && d.GetString() is { Length: > 0 } detail) return detail;
                if (doc.RootElement.TryGetProperty("title", out var t) && t.GetString() is { Length: > 0 } title) return title;
            }
        }
        catch (JsonException)
        {
        }
        return $"{(int)response.StatusCode} {response.ReasonPhrase}";
    }

    public void Dispose() => _http.Dispose();
}
