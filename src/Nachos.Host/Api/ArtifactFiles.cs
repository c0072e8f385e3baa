using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.StaticFiles;
using Nachos.Host.Application;
using Nachos.Host.Contract;

namespace Nachos.Host.Api;

/// <summary>
/// GET /api/studies/{id}/files/{**path}: a file of the study's folder (a directory answers with its listing).
/// Nothing outside the folder is reachable: absolute paths, '.' and '..' segments are refused, and a symbolic
/// link is followed only when its final target is inside the folder.
/// </summary>
public static class ArtifactFiles
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static IResult Serve(string id, string? path, HttpContext http, [FromServices] ControlPlane plane)
    {
        // The server removes '.' and '..' segments before routing (RFC 3986), so look at the target as sent.
        if (DotSegment(http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? ""))
            return Problems.BadRequest("'.' and '..' segments are refused; give a path inside the study folder");
        if (!plane.Studies.Exists(id)) return Problems.UnknownStudy(id);
        var root = Path.GetFullPath(plane.Studies.Directory(id));
        var (resolved, problem) = Resolve(root, path ?? "");
        if (problem is not null) return problem;
        if (Directory.Exists(resolved))
            return Results.Ok(new DirectoryInfo(resolved!).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal)
                .Select(e => e is FileInfo f ? new FileEntry(f.Name, "file", f.Length) : new FileEntry(e.Name, "directory", null)).ToList());
        var type = ContentTypes.TryGetContentType(resolved!, out var t) ? t : "application/octet-stream";
        return Results.File(resolved!, type, enableRangeProcessing: true);
    }

    /// <summary>Whether the path of a request target has a '.' or '..' segment, literal or percent-encoded.</summary>
    public static bool DotSegment(string rawTarget)
    {
        var path = rawTarget.Split('?', 2)[0];
        return path.Split('/').Any(segment => Uri.UnescapeDataString(segment) is "." or "..");
    }

    /// <returns>The full path of an existing file or directory inside <paramref name="root"/>, or the problem to answer.</returns>
    public static (string? Path, IResult? Problem) Resolve(string root, string relative)
    {
        if (relative.Contains('\0')) return (null, Problems.BadRequest("the path holds a NUL character"));
        if (relative.StartsWith('/') || Path.IsPathRooted(relative)) return (null, Problems.BadRequest($"'{relative}': absolute paths are refused; give a path inside the study folder"));
        var segments = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s is ".." or "."))
            return (null, Problems.BadRequest($"'{relative}': '.' and '..' segments are refused; give a path inside the study folder"));
        var current = root;
        foreach (var segment in segments)
        {
            var next = Path.Combine(current, segment);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (!info.Exists && info.LinkTarget is null) return (null, Problems.NotFound($"'{relative}': no such file in the study folder"));
            if (info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true);
                var full = target is null ? null : Path.GetFullPath(target.FullName);
                if (full is null || !(full + "/").StartsWith(root + "/", StringComparison.Ordinal))
                    return (null, Problems.Forbidden($"'{relative}': a link out of the study folder is refused"));
                if (!target!.Exists) return (null, Problems.NotFound($"'{relative}': a dangling link"));
                next = full;
            }
            current = next;
        }
        return (current, null);
    }
}
