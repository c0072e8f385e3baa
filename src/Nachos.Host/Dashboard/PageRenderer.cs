using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Nachos.Host.Dashboard;

/// <summary>
/// Renders a dashboard page (a Razor component) to an HTML string. Every value a component writes as text or
/// attribute is HTML-encoded by the renderer; only <see cref="MarkupString"/>s pass unencoded, and the
/// components use those for markup this program makes itself (plots, the embedded style sheet and script).
/// </summary>
public static class PageRenderer
{
    // The renderer's encoder: all of Unicode passes as it is (the pages are UTF-8: "–", "×", "★" stay readable);
    // the HTML-significant characters (& < > " ' and +) are always encoded.
    private static readonly IServiceProvider Services = new ServiceCollection()
        .AddSingleton(HtmlEncoder.Create(UnicodeRanges.All))
        .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
        .BuildServiceProvider();

    /// <summary>
    /// The component's HTML, rendered synchronously (the dashboard's components do no asynchronous work, so
    /// this never waits on anything but the render itself). One renderer per page: a renderer keeps its root
    /// components until it is disposed.
    /// </summary>
    public static string Render<TComponent>(IReadOnlyDictionary<string, object?> parameters) where TComponent : IComponent =>
        RenderAsync<TComponent>(parameters).GetAwaiter().GetResult();

    private static async Task<string> RenderAsync<TComponent>(IReadOnlyDictionary<string, object?> parameters) where TComponent : IComponent
    {
        await using var renderer = new HtmlRenderer(Services, NullLoggerFactory.Instance);
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters.ToDictionary()))).ToHtmlString());
    }
}
