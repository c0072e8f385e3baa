using System.Text;
using System.Text.Json;

namespace Nachos.Host.Dashboard;

/// <summary>How a page shows a case's image.</summary>
public interface ICaseImageTags
{
    /// <summary>An &lt;img&gt; element, or a placeholder when the image cannot be read.</summary>
    string Tag(string sampleId, string alt);
}

/// <summary>Each image inline in its &lt;img&gt; as a base64 PNG: one page stands alone.</summary>
public sealed class InlineImages(CaseImages images) : ICaseImageTags
{
    public string Tag(string sampleId, string alt) => images.Png(sampleId) is { } png
        ? $"<img src=\"data:image/png;base64,{Convert.ToBase64String(png)}\" alt=\"{Html.E(alt)}\">"
        : Html.NoImage(sampleId);
}

/// <summary>
/// For one file holding many model pages: a case appears in the gallery of many models, so each image is
/// stored once (as base64 PNG, in a JSON block that <see cref="Store"/> renders) and a few lines of inline
/// script set the &lt;img&gt; sources from it.
/// </summary>
public sealed class SharedImages(CaseImages images) : ICaseImageTags
{
    public const string StoreId = "nachos-images";

    // Base64 needs no escaping; the default encoder would write every '+' as \u002B.
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal);
    private readonly List<byte[]> _pngs = [];

    public string Tag(string sampleId, string alt)
    {
        if (!_keys.TryGetValue(sampleId, out var key))
        {
            if (images.Png(sampleId) is not { } png) return Html.NoImage(sampleId);
            key = $"i{_pngs.Count}";
            _keys[sampleId] = key;
            _pngs.Add(png);
        }
        return $"<img data-image=\"{key}\" alt=\"{Html.E(alt)}\">";
    }

    /// <summary>The images referenced so far, as a JSON script block (base64 holds no '&lt;', so it cannot end the block early).</summary>
    public string Store()
    {
        var map = _pngs.Select((png, i) => (Key: $"i{i}", Png: png)).ToDictionary(t => t.Key, t => Convert.ToBase64String(t.Png));
        return new StringBuilder($"<script type=\"application/json\" id=\"{StoreId}\">").Append(JsonSerializer.Serialize(map, Relaxed)).Append("</script>").ToString();
    }
}
