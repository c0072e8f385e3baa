namespace Nachos.Shared.Spec;

/// <summary>One problem in a spec: where (key path and line) and what.</summary>
public sealed record SpecError(string Path, int Line, string Message)
{
    public override string ToString() => Line > 0 ? $"line {Line}: {Path}: {Message}" : $"{Path}: {Message}";
}

/// <summary>A spec that cannot be used. Carries every problem found, not just the first.</summary>
public sealed class SpecException(string file, IReadOnlyList<SpecError> errors)
    : Exception($"{file}: invalid spec\n" + string.Join("\n", errors.Select(e => "  " + e)))
{
    public string File { get; } = file;
    public IReadOnlyList<SpecError> Errors { get; } = errors;
}
