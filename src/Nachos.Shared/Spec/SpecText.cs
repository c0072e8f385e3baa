using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Nachos.Shared.Spec;

/// <summary>Edits of a spec's YAML text before it is stored.</summary>
public static class SpecText
{
    /// <summary>
    /// The spec with its top-level <c>name</c> set (the study's id); the rest as YAML re-emits it (comments are
    /// dropped). Text that is not a YAML mapping is returned unchanged for the loader to report.
    /// </summary>
    public static string WithName(string yaml, string name) =>
        Edit(yaml, root => root.Children[new YamlScalarNode("name")] = new YamlScalarNode(name));

    /// <summary>The spec without <c>search.proxy</c> (<c>nachos proxy-check</c>'s full-size evaluation); re-emitted as <see cref="WithName"/>.</summary>
    public static string WithoutProxy(string yaml) => Edit(yaml, root =>
    {
        if (root.Children.TryGetValue(new YamlScalarNode("search"), out var search) && search is YamlMappingNode s)
            s.Children.Remove(new YamlScalarNode("proxy"));
    });

    private static string Edit(string yaml, Action<YamlMappingNode> edit)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            // InvalidOperationException: YamlDotNet's scanner on some unclosed '[' or '{' (see SpecYaml).
            return yaml;
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root) return yaml;
        edit(root);
        var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return writer.ToString();
    }
}
