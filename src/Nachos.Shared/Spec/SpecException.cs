namespace Nachos.Shared.Spec;

/// <summary>One problem in a spec: where (key path, line and, for YAML syntax faults, column) and what.</summary>
public sealed record SpecError(string Path, int Line, string Message, int Column = 0)
{
    public override string ToString() =>
        Line <= 0 ? $"{Path}: {Message}"
        : Column > 0 ? $"line {Line}, column {Column}: {Path}: {Message}"
        : $"line {Line}: {Path}: {Message}";
}

/// <summary>A spec that cannot be used. Carries every problem found, not just the first.</summary>
public sealed class SpecException(string file, IReadOnlyList<SpecError> errors)
    : Exception($"{file}: invalid spec\n" + string.Join("\n", errors.Select(e => "  " + e)))
{
    public string File { get; } = file;
    public IReadOnlyList<SpecError> Errors { get; } = errors;
}
