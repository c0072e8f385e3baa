using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nachos.Host.Application;
using Nachos.Actors.Node;
using Nachos.Shared.Data;
using Nachos.Host.Contract;

namespace Nachos.Host.Api;

/// <summary>
/// The HTTP server of a coordinator node: the control API, the dashboard and /metrics on Kestrel, bound to
/// 127.0.0.1 unless told otherwise (port 0 picks a free one).
/// </summary>
public sealed class ApiServer(WebApplication app, string url) : IAsyncDisposable
{
    /// <summary>Where it listens, e.g. http://127.0.0.1:5080.</summary>
    public string Url => url;

    /// <param name="dataRoots">Folders besides <paramref name="root"/> that submitted specs may read data from.</param>
    /// <exception cref="ApiTokenException">the campaign's token file is damaged or cannot be written.</exception>
    /// <param name="postgres">The campaign's PostgreSQL journal (where the model registry lives), or null for ROOT/journal.db.</param>
    public static async Task<ApiServer> Start(NachosNode node, string root, string host, int port, IReadOnlyList<string> dataRoots, string? postgres = null)
    {
        var token = ApiToken.LoadOrCreate(root);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // The node owns SIGTERM and Ctrl-C (it leaves the cluster first); ASP.NET's console lifetime would also
        // handle them, and a signal while the server starts made StartAsync throw (exit 1, no message).
        builder.Services.AddSingleton<IHostLifetime, NodeOwnedLifetime>();
        builder.WebHost.UseUrls($"http://{(host.Contains(':') ? $"[{host}]" : host)}:{port}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = Problems.MaxBodyBytes);
        Configure(builder.Services);
        builder.Services.AddSingleton(new ControlPlane(node, new CampaignStudies(root), token, DataRoots.Under([root, .. dataRoots])));
        builder.Services.AddSingleton(new CampaignRegistry(root, postgres));
        builder.Services.AddSingleton<StudyApplication>();
        builder.Services.AddSingleton<ClusterApplication>();

        var app = builder.Build();
        UsePipeline(app, token);
        ApiRoutes.Map(app);
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ApiServer(app, bound);
    }

    /// <summary>Services every instance needs (also the route listing in the tests).</summary>
    public static void Configure(IServiceCollection services)
    {
        // Before AddProblemDetails: the first writer that can write a problem does (browsers get a page, programs JSON).
        services.AddSingleton<Microsoft.AspNetCore.Http.IProblemDetailsWriter, ProblemPages>();
        services.AddProblemDetails();
        services.AddExceptionHandler<Problems.QueueUnavailableHandler>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals);
    }

    private static void UsePipeline(WebApplication app, string token)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseTokenAuthentication(token);
        app.UseCrossOriginGuard();
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    /// <summary>A host lifetime that does nothing: the server starts and stops when the node says so.</summary>
    private sealed class NodeOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
