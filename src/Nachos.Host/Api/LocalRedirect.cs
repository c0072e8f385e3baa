namespace Nachos.Host.Api;

/// <summary>
/// Where the login may send the browser afterwards: a path of this site only. An absolute URL (http://evil/),
/// a scheme-relative one (//evil/) or a backslash variant (/\evil/, which browsers read as //evil/) would make
/// the login page an open redirect, so they are refused.
/// </summary>
public static class LocalRedirect
{
    public const string Home = "/";

    /// <summary>Whether <paramref name="target"/> is a path on this site: it starts with one '/', then no '/' or '\', and has no '\' or control character.</summary>
    public static bool IsLocal(string? target) =>
        target is { Length: > 0 } t && t[0] == '/' && (t.Length == 1 || t[1] is not ('/' or '\\'))
        && !t.Contains('\\') && !t.Any(char.IsControl);

    /// <summary>The path and query of a request, as the login form's <c>next</c>, without a <c>token</c> parameter (never echoed into a page).</summary>
    public static string Of(Microsoft.AspNetCore.Http.HttpRequest request)
    {
        var query = Microsoft.AspNetCore.Http.QueryString.Create(request.Query.Where(kv => kv.Key != "token"));
        var target = request.PathBase + request.Path + query;
        var text = target.ToString();
        return IsLocal(text) ? text : Home;
    }
}
