namespace Nachos.Tests;

/// <summary>The checkout the tests run from: the nearest folder above the test binaries that holds <c>examples/</c>.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        var dir = AppContext.BaseDirectory;
        while (!Directory.Exists(Path.Combine(dir, "examples")))
            dir = Path.GetDirectoryName(dir) ?? throw new DirectoryNotFoundException($"no examples/ folder above {AppContext.BaseDirectory}");
        return dir;
    }
}
