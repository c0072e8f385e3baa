using System.Text.Json;
using Microsoft.AspNetCore.Components;

namespace Nachos.Host.Dashboard;

/// <summary>How an &lt;img&gt; gets its picture: inline (<see cref="Src"/>, a data URI) or from the page's shared store (<see cref="StoreKey"/>).</summary>
public sealed record ImageTag(string? Src, string? StoreKey);

/// <summary>How a page shows a case's image.</summary>
public interface ICaseImageTags
{
    /// <summary>Where the case's &lt;img&gt; gets its picture; null when the image cannot be read (the page shows a placeholder).</summary>
    ImageTag? Tag(string sampleId);

    /// <summary>As <see cref="Tag"/> for a segmentation case's contours (<see cref="CaseImages.ContourPng"/>).</summary>
    ImageTag? ContourTag(string sampleId, string predictedMask);
}

/// <summary>Each image inline in its &lt;img&gt; as a base64 PNG: one page stands alone.</summary>
public sealed class InlineImages(CaseImages images) : ICaseImageTags
{
    public ImageTag? Tag(string sampleId) => Inline(images.Png(sampleId));

    public ImageTag? ContourTag(string sampleId, string predictedMask) => Inline(images.ContourPng(sampleId, predictedMask));

    private static ImageTag? Inline(byte[]? png) => png is null ? null : new ImageTag($"data:image/png;base64,{Convert.ToBase64String(png)}", null);
}

/// <summary>
/// For one file holding many model pages: a case appears in the gallery of many models, so each image is
/// stored once (as base64 PNG, in a JSON block that <see cref="Store"/> gives) and a few lines of inline
/// script set the &lt;img&gt; sources from it.
/// </summary>
public sealed class SharedImages(CaseImages images) : ICaseImageTags
{
    public const string StoreId = "nachos-images";

    // Base64 needs no escaping; the default encoder would write every '+' as \u002B.
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Dictionary<(string, string?), string> _keys = [];
    private readonly List<byte[]> _pngs = [];

    public ImageTag? Tag(string sampleId) => Stored((sampleId, null), () => images.Png(sampleId));

    public ImageTag? ContourTag(string sampleId, string predictedMask) => Stored((sampleId, predictedMask), () => images.ContourPng(sampleId, predictedMask));

    private ImageTag? Stored((string, string?) id, Func<byte[]?> render)
    {
        if (!_keys.TryGetValue(id, out var key))
        {
            if (render() is not { } png) return null;
            key = $"i{_pngs.Count}";
            _keys[id] = key;
            _pngs.Add(png);
        }
        return new ImageTag(null, key);
    }

    /// <summary>
    /// The images referenced so far as the JSON content of the store's script block. Markup, not text: a JSON
    /// object of our keys and base64 strings, which hold no '&lt;' and so cannot end the block early.
    /// </summary>
    public MarkupString Store() =>
        new(JsonSerializer.Serialize(_pngs.Select((png, i) => (Key: $"i{i}", Png: png)).ToDictionary(t => t.Key, t => Convert.ToBase64String(t.Png)), Relaxed));
}
