using Nachos.Host.Application;
using Nachos.Host.Cli;
using Nachos.Host.Contract;
using Nachos.Shared.Bundle;
using Nachos.Shared.Registry;

namespace Nachos.Host.Client;

/// <summary>
/// The model registry as <c>nachos model</c> uses it: through a coordinator's control API (<see cref="Api"/>, with --host)
/// or directly in the campaign's database (<see cref="Local"/>, with --root). Both do the same through
/// <see cref="CampaignRegistry"/>; a refusal is an <see cref="ApiException"/> with the exit code (2 bad input, 5 not found).
/// </summary>
public interface IModelRegistry
{
    /// <param name="bundle">A bundle folder or archive on this machine.</param>
    /// <param name="evalFile">Its predictions on the evaluation set, on this machine.</param>
    Task<RegisteredModel> Register(string bundle, string task, string evalFile, string setName);
    Task<RegistryModels> Models(string task);
    Task<RegistryModel> Model(long id);
    Task<PromotionRecord> Promote(long id, double alpha, string? metric);
    Task<RegistryHistory> History(string task);

    /// <summary>Who asks, as the promotion history and the registration record it.</summary>
    static string Who() => $"{Environment.UserName}@{Environment.MachineName}";

    public static IModelRegistry Local(CampaignRegistry registry) => new LocalRegistry(registry);

    public static IModelRegistry Api(ApiClient client) => new ApiRegistry(client);

    private sealed class LocalRegistry(CampaignRegistry registry) : IModelRegistry
    {
        private static Task<T> Answer<T>(Func<Outcome<T>> operation) where T : class
        {
            Outcome<T> outcome;
            try
            {
                outcome = operation();
            }
            catch (RegistryUnavailableException e)
            {
                throw new ApiException(ExitCodes.BadInput, e.Message);
            }
            return outcome.Refusal is { } refusal
                ? throw new ApiException(refusal.Kind == RefusalKind.NotFound ? ExitCodes.NotFound : ExitCodes.BadInput, refusal.Detail)
                : Task.FromResult(outcome.Value!);
        }

        public Task<RegisteredModel> Register(string bundle, string task, string evalFile, string setName) =>
            Answer(() => registry.Register(bundle, task, evalFile, setName, Who()));

        public Task<RegistryModels> Models(string task) => Answer(() => registry.Models(task));
        public Task<RegistryModel> Model(long id) => Answer(() => registry.Model(id));
        public Task<PromotionRecord> Promote(long id, double alpha, string? metric) => Answer(() => registry.Promote(id, alpha, metric, Who()));
        public Task<RegistryHistory> History(string task) => Answer(() => registry.History(task));
    }

    private sealed class ApiRegistry(ApiClient client) : IModelRegistry
    {
        private static string Segment(string text) => ClientAction.Segment(text);

        public async Task<RegisteredModel> Register(string bundle, string task, string evalFile, string setName)
        {
            byte[] archive;
            string predictions;
            try
            {
                // A folder bundle is sent as the archive the registry would copy; an archive as it is.
                if (Directory.Exists(bundle))
                {
                    var zip = Path.Combine(Path.GetTempPath(), $"nachos-bundle-{Guid.NewGuid():N}.zip");
                    try
                    {
                        BundleFiles.WriteArchive(bundle, zip);
                        archive = await File.ReadAllBytesAsync(zip);
                    }
                    finally
                    {
                        File.Delete(zip);
                    }
                }
                else if (File.Exists(bundle)) archive = await File.ReadAllBytesAsync(bundle);
                else throw new ApiException(ExitCodes.BadInput, $"{bundle}: no such bundle folder or archive");
                predictions = await File.ReadAllTextAsync(evalFile);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new ApiException(ExitCodes.BadInput, $"--eval {evalFile}: no such file");
            }
            catch (Exception e) when (e is BundleException)
            {
                throw new ApiException(ExitCodes.BadInput, e.Message);
            }
            return await client.Post<RegisteredModel>($"api/registry/{Segment(task)}/models",
                new RegisterRequest(Convert.ToBase64String(archive), predictions, Path.GetFileName(evalFile), setName, Who()));
        }

        public Task<RegistryModels> Models(string task) => client.Get<RegistryModels>($"api/registry/{Segment(task)}/models");
        public Task<RegistryModel> Model(long id) => client.Get<RegistryModel>($"api/registry/models/{id}");
        public Task<PromotionRecord> Promote(long id, double alpha, string? metric) =>
            client.Post<PromotionRecord>($"api/registry/models/{id}/promote", new PromoteRequest(alpha, metric, Who()));
        public Task<RegistryHistory> History(string task) => client.Get<RegistryHistory>($"api/registry/{Segment(task)}/history");
    }
}
