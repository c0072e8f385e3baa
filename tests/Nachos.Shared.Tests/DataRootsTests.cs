using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Tests;

namespace Nachos.Shared.Tests;

public sealed class DataRootsTests : IDisposable
{
    private readonly TempDir _dir = new();
    private string Root => _dir.File("root");

    public DataRootsTests()
    {
        Directory.CreateDirectory(Path.Combine(Root, "images"));
        Directory.CreateDirectory(_dir.File("elsewhere"));
        File.WriteAllText(_dir.File("elsewhere/secret.csv"), "x");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Paths_under_a_root_are_allowed_even_before_they_exist_and_a_sibling_with_the_same_prefix_is_not()
    {
        var roots = DataRoots.Under([Root]);
        Assert.True(roots.Allows(Root));
        Assert.True(roots.Allows(Path.Combine(Root, "images", "a.png")));
        Assert.True(roots.Allows(Path.Combine(Root, "not", "yet", "written.csv")));
        Assert.False(roots.Allows(Root + "-evil/a.png"));
        Assert.False(roots.Allows(_dir.File("elsewhere/secret.csv")));
        Assert.False(roots.Allows("/etc/passwd"));
        Assert.True(DataRoots.Anywhere.Allows("/etc/passwd"));
    }

    [Fact]
    public void Links_are_followed_whether_absolute_relative_chained_or_through_a_parent_of_their_target()
    {
        var roots = DataRoots.Under([Root]);
        File.CreateSymbolicLink(Path.Combine(Root, "absolute.csv"), _dir.File("elsewhere/secret.csv"));
        File.CreateSymbolicLink(Path.Combine(Root, "relative.csv"), "../elsewhere/secret.csv");
        File.CreateSymbolicLink(Path.Combine(Root, "chain.csv"), "relative.csv");
        Directory.CreateSymbolicLink(Path.Combine(Root, "images", "up"), "..");
        Directory.CreateSymbolicLink(Path.Combine(Root, "out"), _dir.File("elsewhere"));
        File.CreateSymbolicLink(Path.Combine(Root, "inside.csv"), "images/a.png");

        foreach (var name in new[] { "absolute.csv", "relative.csv", "chain.csv", "out/secret.csv", "out/not-yet.csv" })
            Assert.False(roots.Allows(Path.Combine(Root, name)), name);
        // images/up → root: still inside; images/up/../ leaves the root once the link is followed.
        Assert.True(roots.Allows(Path.Combine(Root, "images", "up", "images", "a.png")));
        Assert.Equal(_dir.File("elsewhere"), RealPath.Resolve(Path.Combine(Root, "images", "up") + "/../elsewhere"));
        Assert.False(roots.Allows(Path.Combine(Root, "images", "up") + "/../elsewhere/secret.csv")); // not "images/elsewhere/…"
        Assert.True(roots.Allows(Path.Combine(Root, "inside.csv")));
        Assert.Equal(Path.Combine(Root, "images", "a.png"), RealPath.Resolve(Path.Combine(Root, "inside.csv")));
    }

    [Fact]
    public void A_root_that_is_itself_a_link_is_resolved_and_a_loop_of_links_is_refused_without_hanging()
    {
        var link = _dir.File("root-link");
        Directory.CreateSymbolicLink(link, Root);
        var roots = DataRoots.Under([link]);
        Assert.Equal([Root], roots.Roots);
        Assert.True(roots.Allows(Path.Combine(Root, "images", "a.png")));
        Assert.True(roots.Allows(Path.Combine(link, "images", "a.png")));

        File.CreateSymbolicLink(Path.Combine(Root, "loop-a"), "loop-b");
        File.CreateSymbolicLink(Path.Combine(Root, "loop-b"), "loop-a");
        Assert.False(roots.Allows(Path.Combine(Root, "loop-a")));
        Assert.Throws<IOException>(() => RealPath.Resolve(Path.Combine(Root, "loop-a")));
    }

    [Fact]
    public void A_refusal_names_the_key_the_path_and_the_allowed_folders_and_a_manifest_refusal_only_its_line()
    {
        var roots = DataRoots.Under([Root]);
        var message = roots.Refusal("/etc/passwd", "dataset.manifest")!;
        Assert.StartsWith("dataset.manifest: /etc/passwd is outside the folders this node reads data from (" + Root + ")", message);
        Assert.Contains("--data-root", message);
        Assert.Null(roots.Refusal(Path.Combine(Root, "m.csv"), "dataset.manifest"));

        var manifest = new Manifest(Path.Combine(Root, "m.csv"), TaskKind.Binary, ["a", "b"],
        [
            new Sample("in.png", 2, Path.Combine(Root, "images", "in.png"), [0], null, "p1", null, null),
            new Sample("secret", 3, _dir.File("elsewhere/secret.csv"), [1], null, "p2", null, null),
        ]);
        var e = Assert.Throws<DataException>(() => roots.Check(manifest));
        Assert.StartsWith($"{Path.Combine(Root, "m.csv")}:3: the image is outside", e.Message);
        Assert.DoesNotContain("secret", e.Message);
        DataRoots.Anywhere.Check(manifest); // a local run reads whatever its user can
    }
}
