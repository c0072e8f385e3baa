using Microsoft.AspNetCore.Components;

namespace Nachos.Host.Dashboard;

/// <summary>The style sheet and script of every page (Assets/, embedded in the assembly), inlined so a page or an export needs no other file.</summary>
public static class DashboardAssets
{
    // Markup, not text: they are files of this program, and the renderer would otherwise encode the quotes and
    // '>' of the CSS and script (inside <style> and <script> the browser does not decode entities).
    public static readonly MarkupString Style = Read("dashboard.css");
    public static readonly MarkupString Script = Read("dashboard.js");

    private static MarkupString Read(string name)
    {
        var resource = $"Nachos.Host.Dashboard.Assets.{name}";
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"{resource}: not embedded in {typeof(DashboardAssets).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return new MarkupString("\n" + reader.ReadToEnd());
    }
}
