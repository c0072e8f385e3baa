using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Nachos.Host.Api;
using Nachos.Tests;
using Nachos.Host.Contract;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// One real <c>nachos node</c> (coordinator and worker, 2 CPU devices, SQLite journal) in a fresh campaign
/// directory, with its HTTP API on a free loopback port; shared by the tests of a class.
/// </summary>
public sealed class ApiNode : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly NachosProcess _node;

    public ApiNode()
    {
        Root = _dir.File("campaign");
        _node = new NachosProcess(_dir.Path, "node", "--root", Root, "--devices", "cpu:2", "--port", "0", "--api-port", "0",
            "--data-root", _dir.Path); // the tests' own spec files and data, besides the campaign
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!_node.Output.Contains("api: http://"))
        {
            if (_node.HasExited || DateTime.UtcNow > deadline) throw new TimeoutException($"the node did not start its API\n{Logs}");
            Thread.Sleep(50);
        }
        Url = ApiUrl(_node.Output);
        Token = File.ReadAllText(Path.Combine(Root, "api-token")).Trim();
        Http = Client(Token);
    }

    /// <summary>Where a coordinator's HTTP server listens, from the <c>api: URL</c> line it prints at start.</summary>
    public static Uri ApiUrl(string nodeOutput) =>
        new(nodeOutput.Split('\n').First(l => l.StartsWith("api: http://", StringComparison.Ordinal))["api: ".Length..].Trim());

    public string Root { get; }
    public Uri Url { get; }
    public string Token { get; }
    /// <summary>Sends the token.</summary>
    public HttpClient Http { get; }
    /// <summary>host:port, as the CLI's --host takes it.</summary>
    public string HostPort => $"{Url.Host}:{Url.Port}";
    public string WorkDir => _dir.Path;
    public string Logs => _node.Output + "\n" + _node.Error;

    public HttpClient Client(string? token)
    {
        var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public string StudyDir(string id) => Path.Combine(Root, "studies", id);

    /// <summary>A small simulated study: 2 outer folds × 2 inner splits × 4 trials = 18 tasks of 4 epochs.</summary>
    public static string Spec(string name, double secondsPerEpoch, int trials = 4) =>
        SimulatedSpecs.Yaml(name, secondsPerEpoch, trials, sampler: "random", outer: 2, maxEpochs: 4, parallelism: 2, optimizer: false);

    public static int Tasks(int trials = 4) => 2 * (trials * 2 + 1);

    public async Task<HttpResponseMessage> Submit(string spec, string? name = null) =>
        await Http.PostAsJsonAsync("api/studies", new SubmitRequest(spec, name, null));

    public async Task<StudyDetail> Study(string id) => (await Http.GetFromJsonAsync<StudyDetail>($"api/studies/{id}", ApiJson.Options))!;

    /// <summary>Polls the API until the study is in a state that <paramref name="until"/> accepts.</summary>
    public async Task<StudyDetail> WaitFor(string id, Func<StudyDetail, bool> until, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var study = await Study(id);
            if (until(study)) return study;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{id}: still {study.State} with {study.Progress.TasksEnded}/{study.Progress.TasksTotal} tasks after {timeout}\n{Logs}");
            await Task.Delay(100);
        }
    }

    /// <summary>Task results written so far (each task writes predictions.csv when it finishes).</summary>
    public int Results(string id) =>
        Directory.Exists(StudyDir(id)) ? Directory.EnumerateFiles(StudyDir(id), "predictions.csv", SearchOption.AllDirectories).Count() : 0;

    /// <summary>Waits for the node process to end (after a leave) and returns its exit code.</summary>
    public int WaitForExit(TimeSpan timeout) => _node.Wait(timeout);

    /// <summary>Runs the CLI against this node.</summary>
    public (int Code, string Output, string Error) Cli(params string[] args) =>
        NachosProcess.Run(_dir.Path, ["--host", HostPort, "--root", Root, .. args]);

    public void Dispose()
    {
        Http.Dispose();
        if (!_node.HasExited)
        {
            _node.Terminate();
            try { _node.Wait(TimeSpan.FromSeconds(30)); }
            catch (TimeoutException) { }
        }
        _node.Dispose();
        _dir.Dispose();
    }
}
