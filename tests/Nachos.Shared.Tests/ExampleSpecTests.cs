using Nachos.Shared.Spec;
using Nachos.Shared.SpecLoading;

namespace Nachos.Shared.Tests;

public sealed class ExampleSpecTests
{
    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(Repository.Root, "examples"), "*.yaml").Order()) data.Add(f);
        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_spec_is_valid(string path)
    {
        var spec = SpecLoader.LoadFile(path);
        Assert.Equal(Path.GetFileNameWithoutExtension(path), spec.Name);
    }
}
