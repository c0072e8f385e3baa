using System.Net;
using System.Net.Http.Json;
using Nachos.Host.Api;
using Nachos.Tests;
using Nachos.Host.Contract;

namespace Nachos.EndToEnd.Tests;

/// <summary>Bad requests are refused with a 4xx problem document that says what is wrong; nothing outside a study folder is served.</summary>
public sealed class ApiInputTests(ApiNode node) : IClassFixture<ApiNode>
{
    private async Task<string> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode} instead of {(int)status}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"\"status\":{(int)status}", body);
        return body;
    }

    private Task<HttpResponseMessage> Post(string path, string body, string contentType = "application/json") =>
        node.Http.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, contentType));

    [Fact]
    public async Task A_bad_submission_is_refused_with_the_reason_and_stores_nothing()
    {
        await Problem(await Post("api/studies", "name: x", "text/yaml"), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("not the expected JSON", await Problem(await Post("api/studies", "{\"spec\": "), HttpStatusCode.BadRequest));
        Assert.Contains("not the expected JSON", await Problem(await Post("api/studies", "{\"spec\": 5}"), HttpStatusCode.BadRequest));
        Assert.Contains("'spec' is required", await Problem(await Post("api/studies", "{}"), HttpStatusCode.BadRequest));
        Assert.Contains("the body is empty", await Problem(await Post("api/studies", "null"), HttpStatusCode.BadRequest));

        var unknownKey = await Problem(await node.Submit(ApiNode.Spec("bad", 0) + "\nsurprise: 1"), HttpStatusCode.BadRequest);
        Assert.Contains("unknown key 'surprise'", unknownKey);
        Assert.Contains("must start with a letter or digit", await Problem(await node.Submit(ApiNode.Spec("ok", 0), ".."), HttpStatusCode.BadRequest));
        var relative = await node.Http.PostAsJsonAsync("api/studies", new SubmitRequest(ApiNode.Spec("ok", 0), null, "data"));
        Assert.Contains("must be an absolute path", await Problem(relative, HttpStatusCode.BadRequest));
        // Outside the data roots, whether a folder exists is not told.
        var outside = await node.Http.PostAsJsonAsync("api/studies", new SubmitRequest(ApiNode.Spec("ok", 0), null, "/no/such/folder"));
        Assert.Contains("outside the folders this node reads data from", await Problem(outside, HttpStatusCode.BadRequest));
        var missing = await node.Http.PostAsJsonAsync("api/studies", new SubmitRequest(ApiNode.Spec("ok", 0), null, Path.Combine(node.WorkDir, "no-such-folder")));
        Assert.Contains("does not exist", await Problem(missing, HttpStatusCode.BadRequest));
        var noData = await node.Submit(ApiNode.Spec("nodata", 0).Replace("synthetic: { out: data, patients: 30, sites: 2, size: 16, seed: 3 }", "manifest: absent/manifest.csv"));
        Assert.Contains("absent", await Problem(noData, HttpStatusCode.BadRequest));

        // YamlDotNet fails on this one with InvalidOperationException: was a 500 with a name, a 409 without.
        const string unclosed = "dataset:\n  synthetic: { out: data, patients: 30 }\n  classes: [normal, lesion\nimage: { size: 16 }\n";
        Assert.Contains("line 3, column 12: (yaml): this '[' is never closed", await Problem(await node.Submit(unclosed, "unclosed"), HttpStatusCode.BadRequest));
        Assert.Contains("line 3, column 12: (yaml): this '[' is never closed", await Problem(await node.Submit(unclosed), HttpStatusCode.BadRequest));

        foreach (var id in new[] { "bad", "ok", "nodata", "unclosed" }) Assert.False(Directory.Exists(node.StudyDir(id)), $"the refused study {id} left a folder");
    }

    [Fact]
    public async Task A_submitted_spec_reads_only_under_the_campaign_and_the_data_roots_and_no_error_quotes_a_file()
    {
        const string synthetic = "synthetic: { out: data, patients: 30, sites: 2, size: 16, seed: 3 }";
        static string WithManifest(string path) => ApiNode.Spec("peek", 0).Replace(synthetic, $"manifest: {path}");
        async Task<string> Refused(HttpResponseMessage response)
        {
            var body = await Problem(response, HttpStatusCode.BadRequest);
            Assert.Contains("outside the folders this node reads data from", body);
            Assert.Contains(node.Root, body); // the allowed folders are named, so the operator knows what to add
            foreach (var leak in new[] { "root:x:", "PATH=", "HOME=", "=/" }) Assert.DoesNotContain(leak, body);
            return body;
        }

        // Before: "/proc/self/environ" answered with the node's environment (its PostgreSQL password) in the message.
        await Refused(await node.Submit(WithManifest("/proc/self/environ")));
        await Refused(await node.Submit(WithManifest("/etc/passwd")));
        await Refused(await node.Submit(WithManifest("../../../../../../../../etc/passwd")));
        await Refused(await node.Submit(ApiNode.Spec("peek", 0).Replace(synthetic, "npz: /etc/passwd")));
        await Refused(await node.Submit(ApiNode.Spec("peek", 0).Replace("image: { size: 16 }", "image: { size: 16 }\nmodel: { initial_weights: /etc/passwd }")));
        await Refused(await node.Submit(ApiNode.Spec("peek", 0).Replace("out: data", "out: /var/tmp/nachos-peek")));
        Assert.False(Directory.Exists("/var/tmp/nachos-peek"), "synthetic data was written outside the roots");
        await Refused(await node.Http.PostAsJsonAsync("api/studies", new SubmitRequest(ApiNode.Spec("peek", 0), null, "/etc")));

        // Links are followed before the check: a folder link and a file link inside a data root that lead out of it.
        var folderLink = Path.Combine(node.WorkDir, "etc-link");
        if (!Directory.Exists(folderLink)) Directory.CreateSymbolicLink(folderLink, "/etc");
        await Refused(await node.Submit(WithManifest(Path.Combine(folderLink, "passwd"))));
        var fileLink = Path.Combine(node.WorkDir, "passwd.csv");
        if (!File.Exists(fileLink)) File.CreateSymbolicLink(fileLink, "/etc/passwd");
        await Refused(await node.Submit(WithManifest(fileLink)));
        await Refused(await node.Http.PostAsJsonAsync("api/studies", new SubmitRequest(ApiNode.Spec("peek", 0), null, folderLink)));

        // A manifest inside a data root whose images lie outside: refused before any image is read, naming the line, not the path.
        var manifest = Path.Combine(node.WorkDir, "outside-images", "manifest.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(manifest)!);
        File.WriteAllLines(manifest, ["image,label", .. Enumerable.Range(0, 12).Select(i => $"ok{i}.png,{(i % 2 == 0 ? "normal" : "lesion")}"), "../../../../../../../../etc/hostname.png,normal"]);
        var images = await Refused(await node.Submit(WithManifest(manifest)));
        Assert.Contains("manifest.csv:14: the image is outside", images);
        Assert.DoesNotContain("hostname", images);

        // The same spec with its data inside the roots is accepted (the check is not a blanket refusal).
        Assert.Equal(HttpStatusCode.Created, (await node.Submit(ApiNode.Spec("inside", 0).Replace("out: data", $"out: {Path.Combine(node.WorkDir, "inside-data")}"))).StatusCode);
        Assert.False(Directory.Exists(node.StudyDir("peek")), "a refused study left a folder");
    }

    [Fact]
    public async Task Unknown_studies_members_and_bad_parameters_are_4xx_problems()
    {
        foreach (var path in new[] { "api/studies/nope", "api/studies/nope/report", "api/studies/nope/trials", "api/studies/nope/tasks", "api/studies/nope/files/spec.yaml", "studies/nope" })
            Assert.Contains("no study", await Problem(await node.Http.GetAsync(path), HttpStatusCode.NotFound));
        foreach (var action in new[] { "pause", "resume", "cancel" })
            await Problem(await Post($"api/studies/nope/{action}", ""), HttpStatusCode.NotFound);

        // A stored study that has not finished (paused at once, so it stays unfinished while this test runs).
        Assert.Equal(HttpStatusCode.Created, (await node.Submit(ApiNode.Spec("held", 0.5))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Post("api/studies/held/pause", "")).StatusCode);
        Assert.Contains("fold 'abc'", await Problem(await node.Http.GetAsync("api/studies/held/trials?fold=abc"), HttpStatusCode.BadRequest));
        Assert.Contains("from 0 to 1", await Problem(await node.Http.GetAsync("api/studies/held/trials?fold=2"), HttpStatusCode.BadRequest));
        var sort = await Problem(await node.Http.GetAsync("api/studies/held/trials?sort=bogus"), HttpStatusCode.BadRequest);
        Assert.Contains("sort 'bogus'", sort);
        Assert.Contains("auroc, accuracy", sort); // the binary study's metrics, not a segmentation study's
        Assert.DoesNotContain("dice", sort);
        // Another task's metric is not one of this study's.
        Assert.Contains("sort 'dice'", await Problem(await node.Http.GetAsync("api/studies/held/trials?sort=dice"), HttpStatusCode.BadRequest));
        Assert.Contains("fold '5'", await Problem(await node.Http.GetAsync("api/studies/held/tasks?fold=5"), HttpStatusCode.BadRequest));
        Assert.Contains("state 'done'", await Problem(await node.Http.GetAsync("api/studies/held/tasks?state=done"), HttpStatusCode.BadRequest));
        Assert.Contains("format 'xml'", await Problem(await node.Http.GetAsync("api/studies/held/report?format=xml"), HttpStatusCode.BadRequest));
        Assert.Contains("has not finished", await Problem(await node.Http.GetAsync("api/studies/held/report"), HttpStatusCode.Conflict));
        Assert.Contains("has no finished model 'o0/refit'", await Problem(await node.Http.GetAsync("studies/held/models/o0/refit"), HttpStatusCode.NotFound));

        Assert.Contains("'address' is required", await Problem(await Post("api/cluster/leave", "{}"), HttpStatusCode.BadRequest));
        Assert.Contains("expected akka.ssl.tcp", await Problem(await Post("api/cluster/down", "{\"address\": \"not an address\"}"), HttpStatusCode.BadRequest));
        Assert.Contains("not a member", await Problem(await Post("api/cluster/leave", "{\"address\": \"127.0.0.1:1\"}"), HttpStatusCode.NotFound));
        Assert.Contains("not a member", await Problem(await Post("api/nodes/drain", "{\"address\": \"akka.tcp://nachos@10.0.0.1:4053\"}"), HttpStatusCode.NotFound));
        Assert.Equal(HttpStatusCode.OK, (await node.Http.GetAsync("api/nodes")).StatusCode);
    }

    /// <summary>A GET with its target sent exactly as given; returns the response's status line.</summary>
    private async Task<string> RawGet(string target)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(node.Url.Host, node.Url.Port);
        await using var stream = tcp.GetStream();
        var request = $"GET {target} HTTP/1.1\r\nHost: {node.HostPort}\r\nAuthorization: Bearer {node.Token}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream);
        return await reader.ReadLineAsync() ?? "";
    }

    [Fact]
    public async Task Artifact_paths_cannot_leave_the_study_folder()
    {
        Assert.Equal(HttpStatusCode.Created, (await node.Submit(ApiNode.Spec("files", 0.5))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Post("api/studies/files/pause", "")).StatusCode);
        var dir = node.StudyDir("files");
        File.CreateSymbolicLink(Path.Combine(dir, "outside"), node.Root);
        File.CreateSymbolicLink(Path.Combine(dir, "token"), Path.Combine(node.Root, ApiToken.FileName));
        File.CreateSymbolicLink(Path.Combine(dir, "inside"), Path.Combine(dir, "spec.yaml"));

        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(dir, "spec.yaml")), await node.Http.GetStringAsync("api/studies/files/files/spec.yaml"));
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(dir, "spec.yaml")), await node.Http.GetStringAsync("api/studies/files/files/inside"));
        var listing = await node.Http.GetFromJsonAsync<List<FileEntry>>("api/studies/files/files/", ApiJson.Options);
        Assert.Contains(listing!, e => e is { Name: "splits.json", Type: "file" });

        await Problem(await node.Http.GetAsync("api/studies/files/files/outside/api-token"), HttpStatusCode.Forbidden);
        await Problem(await node.Http.GetAsync("api/studies/files/files/token"), HttpStatusCode.Forbidden);
        await Problem(await node.Http.GetAsync("api/studies/files/files/outside"), HttpStatusCode.Forbidden);
        await Problem(await node.Http.GetAsync("api/studies/files/files//etc/passwd"), HttpStatusCode.BadRequest);
        await Problem(await node.Http.GetAsync("api/studies/files/files/o0/%2E%2E/%2E%2E/%2E%2E/api-token"), HttpStatusCode.NotFound);
        await Problem(await node.Http.GetAsync("api/studies/files/files/..%2F..%2Fapi-token"), HttpStatusCode.NotFound);

        // As sent on the wire: clients (HttpClient, curl) and the server would otherwise remove the dot segments first.
        Assert.StartsWith("HTTP/1.1 200", await RawGet("/api/studies/files/files/spec.yaml"));
        Assert.StartsWith("HTTP/1.1 400", await RawGet("/api/studies/files/files/./spec.yaml"));
        Assert.StartsWith("HTTP/1.1 400", await RawGet("/api/studies/files/files/o0/../spec.yaml"));
        Assert.StartsWith("HTTP/1.1 400", await RawGet("/api/studies/files/files/%2e/spec.yaml"));
        Assert.True(ArtifactFiles.DotSegment("/a/./b?x=1"));
        Assert.False(ArtifactFiles.DotSegment("/a/.b/b..c?x=/../"));

        // The same rules without HTTP's own normalisation in front.
        using var scratch = new TempDir();
        var root = Path.GetFullPath(scratch.Path);
        scratch.Write("a/b.txt", "b");
        File.CreateSymbolicLink(scratch.File("up"), "..");
        Assert.Equal(Path.Combine(root, "a", "b.txt"), ArtifactFiles.Resolve(root, "a/b.txt").Path);
        Assert.NotNull(ArtifactFiles.Resolve(root, "a/../a/b.txt").Problem);
        Assert.NotNull(ArtifactFiles.Resolve(root, "../x").Problem);
        Assert.NotNull(ArtifactFiles.Resolve(root, "/etc/passwd").Problem);
        Assert.NotNull(ArtifactFiles.Resolve(root, "up/etc").Problem);
        Assert.NotNull(ArtifactFiles.Resolve(root, "a/missing").Problem);
        Assert.Null(ArtifactFiles.Resolve(root, "a/missing").Path);
    }
}
